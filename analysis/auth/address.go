package auth

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// addressParser parses From fields. Display names in charsets Go does not
// know are passed through undecoded: only the address matters here, and
// an exotic charset must not make a valid address unparsable.
var addressParser = mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
}}

// fromDomain returns the domain of the single RFC 5322.From address, or an
// explanation of why there is none, for DMARC's permerror (RFC 7489 §6.6.1).
func fromDomain(h *messageHeader) (string, error) {
	froms := h.all("from")
	switch len(froms) {
	case 0:
		return "", fmt.Errorf("the message has no From header")
	case 1:
	default:
		return "", fmt.Errorf("the message has %d From headers", len(froms))
	}
	if strings.TrimSpace(froms[0]) == "" {
		return "", fmt.Errorf("the From header is empty")
	}
	list, err := addressParser.ParseList(froms[0])
	if err != nil {
		if hasEncodedWord(froms[0]) {
			return "", fmt.Errorf("the From header is an RFC 2047 encoded word, not an address: an address cannot be encoded (RFC 2047 §5), and what a mail reader decodes it to is not what was authenticated")
		}
		return "", fmt.Errorf("the From header does not parse (%v)", err)
	}
	if len(list) != 1 {
		return "", fmt.Errorf("the From header holds %d addresses; DMARC needs exactly one", len(list))
	}
	if hasEncodedWord(list[0].Address) {
		return "", fmt.Errorf("the From address %q contains an RFC 2047 encoded word: an address cannot be encoded (RFC 2047 §5), and a mail reader may show it decoded as another address", list[0].Address)
	}
	domain := domainOf(list[0].Address)
	if domain == "" {
		return "", fmt.Errorf("the From address %q has no valid domain", list[0].Address)
	}
	return domain, nil
}

// hasEncodedWord reports whether s holds something shaped like an RFC 2047
// encoded word, "=?charset?encoding?text?=".
func hasEncodedWord(s string) bool {
	i := strings.Index(s, "=?")
	return i >= 0 && strings.Contains(s[i+2:], "?=")
}

// domainOf returns the normalised domain of an address (or of a bare
// domain): lower-case ASCII (A-labels), no trailing dot; "" when invalid.
func domainOf(addr string) string {
	addr = strings.TrimSpace(strings.Trim(strings.TrimSpace(addr), "<>"))
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		addr = addr[at+1:]
	}
	return normalizeDomain(addr)
}

// normalizeDomain lower-cases a domain, converts it to A-labels and drops
// a trailing dot; "" when it is not a valid host name.
func normalizeDomain(d string) string {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	if d == "" {
		return ""
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || a == "" {
		return ""
	}
	return strings.ToLower(a)
}

// organizationalDomain returns the RFC 7489 §3.2 organizational domain:
// the public suffix plus one label. A domain that is itself a public suffix
// (or unknown to the list in a way the library rejects) is its own
// organizational domain.
func organizationalDomain(domain string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}

// envelopeSender returns the address of the top-most Return-Path field
// (written at final delivery) above the entry hop — one below it came
// with the message: "" for the null sender "<>", and ok false when there
// is none.
func envelopeSender(h *messageHeader, boundary receivedHop, haveBoundary bool) (sender string, ok bool) {
	v, found := "", false
	for i, f := range h.fields {
		if f.name == "return-path" && (!haveBoundary || i < boundary.index) {
			v, found = f.value, true
			break
		}
	}
	if !found {
		return "", false
	}
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j >= 0 {
			v = v[i+1 : i+j]
		}
	}
	return strings.TrimSpace(v), true
}
