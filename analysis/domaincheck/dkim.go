package domaincheck

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"

	"mxaudit/analysis/auth"
)

// DKIMKeyCheck is the audit of one selector's DKIM key.
type DKIMKeyCheck struct {
	Selector string `json:"selector"`
	Name     string `json:"name"` // <selector>._domainkey.<domain>
	Record   string `json:"record"`
	KeyType  string `json:"key_type,omitempty"` // "rsa" or "ed25519"
	Bits     int    `json:"bits,omitempty"`
	Revoked  bool   `json:"revoked,omitempty"`
	Testing  bool   `json:"testing,omitempty"` // t=y
	// LookupError is set when the key could not be fetched.
	LookupError string    `json:"lookup_error,omitempty"`
	Findings    []Finding `json:"findings"`
}

// CheckDKIM fetches and audits the key of one selector.
func CheckDKIM(ctx context.Context, r auth.Resolver, domain, selector string) (k DKIMKeyCheck) {
	k = DKIMKeyCheck{Selector: selector, Name: selector + "._domainkey." + domain}
	var f findings
	defer func() { k.Findings = f.list() }()
	txts, err := r.LookupTXT(ctx, k.Name)
	switch {
	case auth.IsNotFound(err) || (err == nil && len(txts) == 0):
		f.add(SeverityError, "dkim-missing", "no DKIM key at %s: signatures with s=%s fail", k.Name, selector)
		return k
	case err != nil:
		k.LookupError = err.Error()
		f.add(SeverityWarning, "dkim-lookup-failed", "could not fetch %s: %v", k.Name, err)
		return k
	case len(txts) > 1:
		f.add(SeverityError, "dkim-multiple", "%s has %d TXT records; verifiers may pick either", k.Name, len(txts))
	}
	k.Record = txts[0]
	tags, errs := parseTags(k.Record)
	for _, e := range errs {
		f.add(SeverityError, "dkim-syntax", "%s: %v", k.Name, e)
	}
	if v, ok := tags["v"]; ok && v != "DKIM1" {
		f.add(SeverityError, "dkim-syntax", "%s: v=%s is not DKIM1", k.Name, v)
	}
	k.KeyType = strings.ToLower(tags["k"])
	if k.KeyType == "" {
		k.KeyType = "rsa"
	}
	for _, fl := range strings.Split(tags["t"], ":") {
		if strings.TrimSpace(fl) == "y" {
			k.Testing = true
			f.add(SeverityInfo, "dkim-testing", "%s is in testing mode (t=y): some verifiers treat failures as unsigned", k.Name)
		}
	}
	p, ok := tags["p"]
	if !ok {
		f.add(SeverityError, "dkim-syntax", "%s has no p= tag", k.Name)
		return k
	}
	p = strings.Join(strings.Fields(p), "")
	if p == "" {
		k.Revoked = true
		f.add(SeverityWarning, "dkim-revoked", "%s is revoked (empty p=): signatures with s=%s fail", k.Name, selector)
		return k
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		f.add(SeverityError, "dkim-key", "%s: p= is not valid base64", k.Name)
		return k
	}
	k.checkKey(&f, der)
	return k
}

func (k *DKIMKeyCheck) checkKey(f *findings, der []byte) {
	switch k.KeyType {
	case "rsa":
		var pub *rsa.PublicKey
		if key, err := x509.ParsePKIXPublicKey(der); err == nil {
			pub, _ = key.(*rsa.PublicKey)
		} else if key, err := x509.ParsePKCS1PublicKey(der); err == nil {
			pub = key
		}
		if pub == nil {
			f.add(SeverityError, "dkim-key", "%s: p= is not an RSA public key", k.Name)
			return
		}
		k.Bits = pub.N.BitLen()
		switch {
		case k.Bits < 1024:
			f.add(SeverityError, "dkim-weak", "%s: a %d-bit RSA key; verifiers must not accept keys under 1024 bits (RFC 8301 §3.2)", k.Name, k.Bits)
		case k.Bits < 2048:
			f.add(SeverityWarning, "dkim-short", "%s: a %d-bit RSA key; 2048 bits is the current recommendation", k.Name, k.Bits)
		}
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			f.add(SeverityError, "dkim-key", "%s: an Ed25519 key must be %d bytes, this one is %d", k.Name, ed25519.PublicKeySize, len(der))
			return
		}
		k.Bits = 256
	default:
		f.add(SeverityError, "dkim-key", "%s: unknown key type k=%s", k.Name, k.KeyType)
	}
}

// parseTags reads a DKIM tag list (RFC 6376 §3.2).
func parseTags(s string) (map[string]string, []error) {
	tags := make(map[string]string)
	var errs []error
	for _, part := range strings.Split(s, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			errs = append(errs, fmt.Errorf("%q is not a tag=value pair", clip(strings.TrimSpace(part))))
			continue
		}
		if _, dup := tags[k]; dup {
			errs = append(errs, fmt.Errorf("tag %s appears twice", clip(k)))
		}
		tags[k] = strings.TrimSpace(v)
	}
	return tags, errs
}
