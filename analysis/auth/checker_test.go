package auth

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

const headerOnlyMessage = "Authentication-Results: evil.example; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com\r\n" +
	"Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=bounce@mailer.example.net;\r\n" +
	"  dkim=pass (2048-bit key; secure) header.d=example.com header.s=s1 header.a=rsa-sha256;\r\n" +
	"  dmarc=pass (p=REJECT sp=NONE dis=NONE) header.from=example.com\r\n" +
	"Authentication-Results: spf=fail smtp.mailfrom=example.com\r\n" +
	"Received: from out.example.com (out.example.com [192.0.2.7]) by mx.example.org (Postfix) id 1; Mon, 2 Jan 2026 10:00:01 +0000\r\n" +
	"Authentication-Results: mx.example.org; dkim=fail header.d=example.com\r\n" +
	"From: Alice <alice@example.com>\r\nSubject: hi\r\n\r\nbody\r\n"

func TestOfflineUsesTrustedHeadersOnly(t *testing.T) {
	c := NewChecker(Config{TrustedHosts: []string{"MX.example.org"}, Offline: true, Resolver: failingResolver{t}})
	a := check(t, c, headerOnlyMessage)
	if a.Source != model.SourceHeader {
		t.Errorf("source %q", a.Source)
	}
	if a.SPF.Result != model.ResultPass || a.SPF.Domain != "mailer.example.net" || a.SPF.Aligned || a.SPF.Source != model.SourceHeader {
		t.Errorf("spf %+v", a.SPF)
	}
	if len(a.DKIM) != 1 || a.DKIM[0].Result != model.ResultPass || a.DKIM[0].Selector != "s1" || a.DKIM[0].Algorithm != "rsa-sha256" || !a.DKIM[0].Aligned {
		t.Errorf("dkim %+v", a.DKIM)
	}
	d := a.DMARC
	if d.Result != model.ResultPass || d.FromDomain != "example.com" || d.Policy != model.DispositionReject ||
		d.SubdomainPolicy != model.DispositionNone || d.Disposition != model.DispositionNone || d.Source != model.SourceHeader {
		t.Errorf("dmarc %+v", d)
	}
	// The mx.example.org field below the gateway's Received came with the
	// message: it names our host, but the sender wrote it.
	if !slices.Equal(a.IgnoredHeaders, []string{"evil.example", "(no authserv-id)", "mx.example.org (below the entry hop: written by the sender)"}) {
		t.Errorf("ignored %q", a.IgnoredHeaders)
	}
	if v, reasons := Verdict(a); v != model.AuthPass || !strings.Contains(strings.Join(reasons, " "), "evil.example") {
		t.Errorf("verdict %s %q", v, reasons)
	}
}

func TestOfflineWithoutHeaders(t *testing.T) {
	rk, _ := testKeys()
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Offline: true, Resolver: failingResolver{t}})
	a := check(t, c, sign(t, plainMessage, "example.com", "rsa", rk, time.Time{}))
	if a.DMARC.Result != model.ResultNone || !strings.Contains(a.DMARC.Reason, "offline") {
		t.Errorf("dmarc %+v", a.DMARC)
	}
	if len(a.DKIM) != 1 || a.DKIM[0].Result != model.ResultNeutral || !strings.Contains(a.DKIM[0].Reason, "offline") {
		t.Errorf("dkim %+v", a.DKIM)
	}
	if a.SPF.Result != "" || a.Source != model.SourceHeader {
		t.Errorf("spf %+v source %s", a.SPF, a.Source)
	}
}

func TestLiveAndHeaderMixed(t *testing.T) {
	rk, _ := testKeys()
	zone := dnszone.Zone{
		{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)},
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=reject"},
	}
	c, srv, _ := liveChecker(t, zone)
	// No Return-Path: SPF comes from the trusted header; the untrusted
	// one above it says fail and must not count.
	msg := "Authentication-Results: relay.evil.example; spf=fail smtp.mailfrom=example.com\r\n" +
		"Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=example.com\r\n" +
		"Received: from out.example.com (out.example.com [192.0.2.7]) by mx.example.org (Postfix) id 1; Mon, 2 Jan 2026 10:00:01 +0000\r\n" +
		sign(t, plainMessage, "example.com", "rsa", rk, time.Time{})
	a := check(t, c, msg)
	if a.Source != model.SourceMixed || a.SPF.Source != model.SourceHeader || a.SPF.Result != model.ResultPass ||
		a.DKIM[0].Source != model.SourceLive || a.DMARC.Source != model.SourceLive {
		t.Fatalf("sources: auth %s spf %+v dkim %+v dmarc %s", a.Source, a.SPF, a.DKIM, a.DMARC.Source)
	}
	if !slices.Equal(a.IgnoredHeaders, []string{"relay.evil.example"}) {
		t.Fatalf("ignored %q", a.IgnoredHeaders)
	}
	if srv.QueriesFor("example.com") != 0 {
		t.Fatal("SPF was evaluated live without an envelope sender")
	}
}

// pipeCheck feeds msg through an io.Pipe, as the scan does, and fails the
// test if Check leaves the writer blocked.
func pipeCheck(t *testing.T, c *Checker, msg string) (*model.Auth, error) {
	t.Helper()
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		_, err := io.Copy(pw, strings.NewReader(msg))
		pw.Close()
		written <- err
	}()
	a, err := c.Check(context.Background(), pr)
	select {
	case werr := <-written:
		if werr != nil {
			t.Fatalf("writer: %v", werr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Check returned without reading the message to its end")
	}
	return a, err
}

func TestCheckReadsToEOF(t *testing.T) {
	rk, _ := testKeys()
	zone := dnszone.Zone{{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)}}
	live, _, _ := liveChecker(t, zone)
	offline := NewChecker(Config{Offline: true})
	bigBody := strings.Repeat("line of body text\r\n", 100_000)
	signed := sign(t, strings.Replace(plainMessage, "Please find the figures below.\r\n", bigBody, 1), "example.com", "rsa", rk, time.Time{})
	tests := []struct {
		name    string
		c       *Checker
		msg     string
		wantErr bool
	}{
		{name: "signed, passes", c: live, msg: signed},
		{name: "key missing: the library stops early", c: live, msg: strings.Replace(signed, "s=rsa", "s=none", 1)},
		{name: "unsigned", c: live, msg: plainMessage + bigBody},
		{name: "offline", c: offline, msg: signed},
		{name: "header too large", c: live, msg: "X: " + strings.Repeat("y", MaxHeaderBytes+10) + "\r\n\r\n" + bigBody, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := pipeCheck(t, tc.c, tc.msg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil && a == nil {
				t.Fatal("nil result")
			}
		})
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		n := copy(p, strings.Repeat("X-A: b\r\n", 10)[:min(len(p), f.n)])
		f.n -= n
		return n, nil
	}
	return 0, errors.New("disk on fire")
}

func TestCheckReportsReadErrors(t *testing.T) {
	c := NewChecker(Config{Offline: true})
	if _, err := c.Check(context.Background(), &failingReader{n: 40}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckCancelledContextDoesNotHang(t *testing.T) {
	rk, _ := testKeys()
	zone := dnszone.Zone{{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)}}
	srv := newDroppingServer(t, zone)
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Resolver: NewCachingResolver(NewDNSResolver(srv, 10*time.Second))})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	a, err := c.Check(ctx, strings.NewReader(dmarcMessage(t, "192.0.2.7", "a@example.com", "a@example.com", "example.com")))
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %v", el)
	}
	if a.DMARC.Result != model.ResultTempError || a.SPF.Result != model.ResultTempError {
		t.Fatalf("dmarc %s spf %s", a.DMARC.Result, a.SPF.Result)
	}
}

func TestCheckerConcurrentUse(t *testing.T) {
	c, _, _ := liveChecker(t, dmarcZone(t))
	msgs := []string{
		dmarcMessage(t, "192.0.2.7", "bounce@example.com", "system@alert.example.com", ""),
		dmarcMessage(t, "203.0.113.5", "x@quar.test", "x@quar.test", "example.com"),
		headerOnlyMessage,
	}
	want := make([]model.Result, len(msgs))
	for i, m := range msgs {
		want[i] = check(t, c, m).DMARC.Result
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := g % len(msgs)
			a, err := c.Check(context.Background(), strings.NewReader(msgs[i]))
			if err != nil || a.DMARC.Result != want[i] {
				t.Errorf("message %d: %v %v", i, err, a)
			}
		}()
	}
	wg.Wait()
}

func TestZoneResolverDemo(t *testing.T) {
	rk, _ := testKeys()
	zone := dnszone.Zone{
		{Name: "rsa._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)},
		{Name: "example.com", Type: "TXT", Value: "v=spf1 ip4:192.0.2.0/24 -all"},
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=quarantine"},
	}
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Resolver: NewZoneResolver(zone)})
	msg := crlf("Return-Path: <a@example.com>\nReceived: from h (h [192.0.2.9]) by mx.example.org id 1; Mon, 2 Jan 2026\n") +
		sign(t, plainMessage, "example.com", "rsa", rk, time.Time{})
	a := check(t, c, msg)
	if a.SPF.Result != model.ResultPass || a.DKIM[0].Result != model.ResultPass || a.DMARC.Result != model.ResultPass {
		t.Fatalf("%+v", a)
	}
}
