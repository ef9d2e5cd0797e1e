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
	list, err := addressParser.ParseList(froms[0])
	if err != nil {
		return "", fmt.Errorf("the From header does not parse (%v)", err)
	}
	if len(list) != 1 {
		return "", fmt.Errorf("the From header holds %d addresses; DMARC needs exactly one", len(list))
	}
	domain := domainOf(list[0].Address)
	if domain == "" {
		return "", fmt.Errorf("the From address %q has no valid domain", list[0].Address)
	}
	return domain, nil
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
