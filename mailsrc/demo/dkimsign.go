package demo

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// dkimSpec says how to sign one message.
//
// The demo signs with its own small RFC 6376 signer instead of
// go-msgauth's dkim.Sign because that one stamps t= with the wall clock,
// which would make every run's bytes differ. The tests verify every
// signature with go-msgauth's dkim.Verify, so the two cannot drift apart.
type dkimSpec struct {
	Domain   string
	Selector string
	Key      keyKind
	// Time is the t= tag; Expire, when not zero, the x= tag.
	Time   time.Time
	Expire time.Time
	// Simple selects c=simple/simple instead of relaxed/relaxed.
	Simple bool
	// Headers is the h= list; nil signs the usual set of fields present.
	Headers []string
}

// defaultSignedHeaders is what the demo's MTAs sign when present, in the
// order RFC 6376 §5.4.1 suggests.
var defaultSignedHeaders = []string{"from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type"}

// signDKIM returns the DKIM-Signature header field, CRLF terminated, for msg
// (a whole message with CRLF line ends), to be prepended to it.
func signDKIM(msg []byte, s dkimSpec) ([]byte, error) {
	head, body, ok := bytes.Cut(msg, []byte("\r\n\r\n"))
	if !ok {
		return nil, fmt.Errorf("dkim: message has no header/body separator")
	}
	fields := splitHeaderFields(head)
	keys := s.Headers
	if keys == nil {
		for _, k := range defaultSignedHeaders {
			if pickField(fields, k, map[int]bool{}) >= 0 {
				keys = append(keys, k)
			}
		}
	}

	var canonBody []byte
	canonHeader := canonHeaderRelaxed
	if s.Simple {
		canonBody = canonBodySimple(body)
		canonHeader = func(f string) string { return f }
	} else {
		canonBody = canonBodyRelaxed(body)
	}
	bh := sha256.Sum256(canonBody)

	c := "relaxed/relaxed"
	if s.Simple {
		c = "simple/simple"
	}
	var sig strings.Builder
	fmt.Fprintf(&sig, "DKIM-Signature: v=1; a=%s; c=%s; d=%s; s=%s;\r\n\tt=%d;",
		keyAlgorithm(s.Key), c, s.Domain, s.Selector, s.Time.Unix())
	if !s.Expire.IsZero() {
		fmt.Fprintf(&sig, " x=%d;", s.Expire.Unix())
	}
	fmt.Fprintf(&sig, " h=%s;\r\n\tbh=%s;\r\n\tb=", strings.Join(keys, ":"), base64.StdEncoding.EncodeToString(bh[:]))

	h := sha256.New()
	used := map[int]bool{}
	for _, k := range keys {
		i := pickField(fields, k, used)
		if i < 0 {
			continue // RFC 6376 §5.4.2: a name with no (more) instance signs the null string
		}
		h.Write([]byte(canonHeader(fields[i] + "\r\n")))
	}
	h.Write([]byte(strings.TrimSuffix(canonHeader(sig.String()+"\r\n"), "\r\n")))
	digest := h.Sum(nil)

	signer := signerFor(s.Key)
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := signer.(ed25519.PrivateKey); ok {
		opts = crypto.Hash(0) // Ed25519 signs the SHA-256 digest as its message (RFC 8463)
	}
	b, err := signer.Sign(nil, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("dkim: sign: %w", err)
	}
	out := sig.String()
	enc := base64.StdEncoding.EncodeToString(b)
	if s.Simple {
		// simple header canonicalization keeps whitespace, so the value is
		// not folded: the verifier hashes the field exactly as it reads it.
		return []byte(out + enc + "\r\n"), nil
	}
	var folded strings.Builder
	folded.WriteString(out)
	for len(enc) > 0 {
		n := min(len(enc), 70)
		folded.WriteString(enc[:n])
		enc = enc[n:]
		if len(enc) > 0 {
			folded.WriteString("\r\n\t")
		}
	}
	folded.WriteString("\r\n")
	return []byte(folded.String()), nil
}

// splitHeaderFields splits a header block into whole fields, each with its
// folded continuation lines and without the final CRLF.
func splitHeaderFields(head []byte) []string {
	var fields []string
	for _, line := range strings.Split(string(head), "\r\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(fields) > 0 {
			fields[len(fields)-1] += "\r\n" + line
			continue
		}
		fields = append(fields, line)
	}
	return fields
}

// pickField returns the index of the bottom-most not yet used field named
// key (RFC 6376 §5.4.2), or -1.
func pickField(fields []string, key string, used map[int]bool) int {
	for i := len(fields) - 1; i >= 0; i-- {
		name, _, ok := strings.Cut(fields[i], ":")
		if ok && !used[i] && strings.EqualFold(strings.TrimSpace(name), key) {
			used[i] = true
			return i
		}
	}
	return -1
}

// canonHeaderRelaxed is RFC 6376 §3.4.2 for one CRLF-terminated field.
func canonHeaderRelaxed(f string) string {
	name, value, _ := strings.Cut(f, ":")
	value = strings.Join(strings.FieldsFunc(value, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	}), " ")
	return strings.ToLower(strings.TrimSpace(name)) + ":" + value + "\r\n"
}

// canonBodyRelaxed is RFC 6376 §3.4.4.
func canonBodyRelaxed(body []byte) []byte {
	lines := strings.Split(string(body), "\r\n")
	for i, l := range lines {
		l = strings.Join(strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
		if len(lines[i]) > 0 && (lines[i][0] == ' ' || lines[i][0] == '\t') && l != "" {
			l = " " + l
		}
		lines[i] = l
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return nil
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// canonBodySimple is RFC 6376 §3.4.3: trailing empty lines go, and an
// empty body becomes a single CRLF.
func canonBodySimple(body []byte) []byte {
	for bytes.HasSuffix(body, []byte("\r\n\r\n")) {
		body = body[:len(body)-2]
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		body = append(append([]byte{}, body...), "\r\n"...)
	}
	return body
}
