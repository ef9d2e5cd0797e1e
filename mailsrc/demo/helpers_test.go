package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/emersion/go-message/mail"

	"mxaudit/analysis/dnszone"
)

// zoneResolver answers DNS questions from Zone(), the way the static
// resolver of package analysis will.
type zoneResolver struct{ z dnszone.Zone }

func newZoneResolver() zoneResolver { return zoneResolver{Zone()} }

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r zoneResolver) txt(name string) ([]string, error) {
	v := r.z.Lookup(name, "TXT")
	if len(v) == 0 {
		return nil, notFound(name)
	}
	return v, nil
}

func (r zoneResolver) LookupTXT(_ context.Context, name string) ([]string, error) { return r.txt(name) }

func (r zoneResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	var out []*net.MX
	for _, v := range r.z.Lookup(name, "MX") {
		pref, host, _ := strings.Cut(v, " ")
		p, err := strconv.Atoi(pref)
		if err != nil {
			return nil, fmt.Errorf("bad MX %q", v)
		}
		out = append(out, &net.MX{Host: host + ".", Pref: uint16(p)})
	}
	if len(out) == 0 {
		return nil, notFound(name)
	}
	return out, nil
}

func (r zoneResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, typ := range []string{"A", "AAAA"} {
		for _, v := range r.z.Lookup(host, typ) {
			out = append(out, net.IPAddr{IP: net.ParseIP(v)})
		}
	}
	if len(out) == 0 {
		return nil, notFound(host)
	}
	return out, nil
}

func (r zoneResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	return nil, notFound(addr)
}

// attachmentData returns the decoded bytes of every attachment of raw, in
// MIME order.
func attachmentData(raw []byte) ([][]byte, error) {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		b, err := io.ReadAll(p.Body)
		if err != nil {
			return out, err
		}
		if _, ok := p.Header.(*mail.AttachmentHeader); ok {
			out = append(out, b)
		}
	}
}

// bodyTexts returns the decoded subject and every text part of raw.
func bodyTexts(raw []byte) (string, error) {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	subject, err := r.Header.Subject()
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString(subject + "\n")
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return sb.String(), nil
		}
		if err != nil {
			return "", err
		}
		if _, ok := p.Header.(*mail.InlineHeader); ok {
			b, err := io.ReadAll(p.Body)
			if err != nil {
				return "", err
			}
			sb.Write(b)
		}
	}
}
