package auth

import (
	"strings"
)

// receivedSPF is a parsed Received-SPF field (RFC 7208 §9.1):
//
//	Received-SPF: pass (mybox.example.org: domain of myname@example.com
//	  designates 192.0.2.1 as permitted sender) receiver=mybox.example.org;
//	  client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;
//
// policyd-spf writes the same keys after a "(mailfrom)" comment.
type receivedSPF struct {
	index   int    // position among all header fields, top = 0
	result  string // lower case
	comment string
	params  map[string]string // lower-case key → value, quotes removed
}

// parseReceivedSPF reads a Received-SPF value; ok is false when it does not
// start with a result word.
func parseReceivedSPF(v string) (receivedSPF, bool) {
	cleaned, comments := stripComments(v)
	r := receivedSPF{params: map[string]string{}}
	fields := strings.Fields(strings.ReplaceAll(cleaned, ";", " "))
	if len(fields) == 0 || strings.Contains(fields[0], "=") {
		return r, false
	}
	r.result = strings.ToLower(fields[0])
	r.comment = comments[0]
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		r.params[strings.ToLower(k)] = restoreQuoted(strings.Trim(val, `"`))
	}
	return r, true
}

// trustedReceivedSPF returns the top-most Received-SPF field that sits
// above the boundary hop's Received field. Only the operator's gateway (or
// a host after it) can have written a field there: everything below the
// boundary came with the message from the outside, where anyone can write
// "Received-SPF: pass". Without a boundary hop nothing can be trusted.
func trustedReceivedSPF(h *messageHeader, boundary receivedHop, haveBoundary bool) (receivedSPF, bool) {
	if !haveBoundary {
		return receivedSPF{}, false
	}
	for i, f := range h.fields {
		if i >= boundary.index {
			break
		}
		if f.name != "received-spf" {
			continue
		}
		if r, ok := parseReceivedSPF(f.value); ok {
			r.index = i
			return r, true
		}
	}
	return receivedSPF{}, false
}
