package auth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

// testKeys are generated once: RSA-2048 generation costs a noticeable
// fraction of a second.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, ed25519.PrivateKey) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	_, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return rk, ek
})

// keyRecord returns the DKIM TXT record publishing signer's public key.
func keyRecord(t testing.TB, signer crypto.Signer) string {
	t.Helper()
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	t.Fatalf("unsupported key %T", signer.Public())
	return ""
}

// sign returns msg with a DKIM-Signature by signer for domain/selector
// prepended. msg uses CRLF line endings.
func sign(t testing.TB, msg, domain, selector string, signer crypto.Signer, expires time.Time) string {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{
		Domain: domain, Selector: selector, Signer: signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Subject", "Date"},
		Expiration:             expires,
	})
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.String()
}

// crlf converts a message written with \n in Go source to CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// liveChecker starts a loopback DNS server for zone and returns a checker
// using it through a cache, trusting mx.example.org.
func liveChecker(t testing.TB, zone dnszone.Zone) (*Checker, *authtest.Server, *CachingResolver) {
	t.Helper()
	srv := authtest.StartDNS(t, zone)
	cache := NewCachingResolver(NewDNSResolver(srv.Addr(), 300*time.Millisecond))
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Resolver: cache})
	return c, srv, cache
}

// check runs c on msg and fails the test on error.
func check(t testing.TB, c *Checker, msg string) *model.Auth {
	t.Helper()
	a, err := c.Check(context.Background(), strings.NewReader(msg))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return a
}

// failingResolver fails the test on any query: offline checks must not
// touch DNS.
type failingResolver struct{ t testing.TB }

func (f failingResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	f.t.Errorf("unexpected DNS query TXT %s", name)
	return nil, notFoundError(name, "")
}

func (f failingResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	f.t.Errorf("unexpected DNS query MX %s", name)
	return nil, notFoundError(name, "")
}

func (f failingResolver) LookupIPAddr(_ context.Context, name string) ([]net.IPAddr, error) {
	f.t.Errorf("unexpected DNS query A/AAAA %s", name)
	return nil, notFoundError(name, "")
}

func (f failingResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	f.t.Errorf("unexpected DNS query PTR %s", addr)
	return nil, notFoundError(addr, "")
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// newDroppingServer starts a loopback DNS server that drops every query of
// the zone's names and of the names a message may ask for.
func newDroppingServer(t *testing.T, zone dnszone.Zone) string {
	srv := authtest.StartDNS(t, zone)
	for _, n := range []string{"rsa._domainkey.example.com", "k._domainkey.example.com", "example.com", "_dmarc.example.com"} {
		srv.Drop(n)
	}
	return srv.Addr()
}
