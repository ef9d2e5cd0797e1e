package auth

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
)

func TestCachingResolverOneQueryPerName(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	srv.Drop("dropped.example")
	c := NewCachingResolver(NewDNSResolver(srv.Addr(), 100*time.Millisecond))
	ctx := context.Background()
	names := []string{"short.example", "absent.example", "host.example", "dropped.example"}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range names {
				_, _ = c.LookupTXT(ctx, n)
			}
		}()
	}
	wg.Wait()
	for _, n := range names {
		if got := srv.QueriesFor(n); got != 1 {
			t.Errorf("queries for %s = %d, want 1 (answers, NXDOMAIN, NODATA and timeouts are all cached)", n, got)
		}
	}
	st := c.Stats()
	if st.Lookups != 200 || st.Queries != 4 || st.Hits != 196 {
		t.Errorf("stats = %+v, want 200 lookups, 4 queries, 196 hits", st)
	}
}

func TestCachingResolverTempErrorExpires(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	srv.ServFail("short.example")
	now := time.Unix(1_700_000_000, 0)
	c := NewCachingResolver(NewDNSResolver(srv.Addr(), time.Second))
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	if _, err := c.LookupTXT(ctx, "short.example"); !IsTemporary(err) {
		t.Fatalf("want temporary error, got %v", err)
	}
	if _, err := c.LookupTXT(ctx, "short.example"); !IsTemporary(err) {
		t.Fatalf("want cached temporary error, got %v", err)
	}
	if got := srv.QueriesFor("short.example"); got != 1 {
		t.Fatalf("queries = %d, want 1 within the TTL", got)
	}
	now = now.Add(DefaultTempErrorTTL + time.Second)
	_, _ = c.LookupTXT(ctx, "short.example")
	if got := srv.QueriesFor("short.example"); got != 2 {
		t.Fatalf("queries = %d, want 2 after the TTL", got)
	}
}

func TestCachingResolverCallerCancellation(t *testing.T) {
	srv := authtest.StartDNS(t, resolverZone)
	srv.Drop("dropped.example")
	// The query would take 4 s to time out; the caller's 30 ms deadline
	// must end its wait long before (the bound is loose for slow CI).
	c := NewCachingResolver(NewDNSResolver(srv.Addr(), 4*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.LookupTXT(ctx, "dropped.example")
	if !IsTemporary(err) || time.Since(start) > 2*time.Second {
		t.Fatalf("cancelled caller: err %v after %v", err, time.Since(start))
	}
	// The shared query goes on and its timeout is remembered for the
	// others; the caller's cancellation is not.
	_, err = c.LookupTXT(context.Background(), "dropped.example")
	if !IsTemporary(err) {
		t.Fatalf("want timeout, got %v", err)
	}
	if got := srv.QueriesFor("dropped.example"); got != 1 {
		t.Fatalf("queries = %d, want 1", got)
	}
}

// TestCacheThousandMessages checks the whole path: 1,000 messages from one
// domain, each with a DKIM signature, an SPF check and a DMARC lookup,
// make one query per distinct DNS name.
func TestCacheThousandMessages(t *testing.T) {
	rk, _ := testKeys()
	zone := dnszone.Zone{
		{Name: "s1._domainkey.example.com", Type: "TXT", Value: keyRecord(t, rk)},
		{Name: "example.com", Type: "TXT", Value: "v=spf1 include:_spf.example.com -all"},
		{Name: "_spf.example.com", Type: "TXT", Value: "v=spf1 ip4:192.0.2.0/24 -all"},
		{Name: "_dmarc.example.com", Type: "TXT", Value: "v=DMARC1; p=reject"},
	}
	c, srv, cache := liveChecker(t, zone)
	var msgs []string
	for i := range 1000 {
		body := fmt.Sprintf("From: a@example.com\r\nTo: b@example.org\r\nSubject: n%d\r\nDate: Mon, 2 Jan 2026 10:00:00 +0000\r\n\r\nbody %d\r\n", i, i)
		if i < 3 { // signing is slow; a few distinct signatures are enough
			msgs = append(msgs, sign(t, body, "example.com", "s1", rk, time.Time{}))
		} else {
			msgs = append(msgs, msgs[i%3])
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, m := range msgs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			full := "Return-Path: <bounce@example.com>\r\n" +
				"Received: from out.example.com (out.example.com [192.0.2.7]) by mx.example.org (Postfix) with ESMTPS id X; Mon, 2 Jan 2026 10:00:01 +0000\r\n" + m
			a, err := c.Check(context.Background(), stringsReader(full))
			if err != nil {
				t.Errorf("message %d: %v", i, err)
				return
			}
			if v, _ := Verdict(a); v != "pass" {
				t.Errorf("message %d: verdict %s: %+v", i, v, a.DMARC)
			}
		}()
	}
	wg.Wait()
	// One query per distinct name; the trusted gateway's own address is
	// looked up once per checker (A and AAAA), to recognise relays
	// between our own hosts. The RFC 9989 tree walk for example.com asks
	// _dmarc.com too (§4.10), once per scan.
	want := map[string]int{"s1._domainkey.example.com": 1, "example.com": 1, "_spf.example.com": 1, "_dmarc.example.com": 1, "_dmarc.com": 1, "mx.example.org": 2}
	total := 0
	for name, n := range want {
		total += n
		if got := srv.QueriesFor(name); got != n {
			t.Errorf("queries for %s = %d, want %d", name, got, n)
		}
	}
	if srv.Queries() != total {
		t.Errorf("server saw %d queries, want %d", srv.Queries(), total)
	}
	st := cache.Stats()
	t.Logf("1,000 messages: %d lookups, %d sent to the server, %d answered from cache", st.Lookups, st.Queries, st.Hits)
	// The walk is cached by the checker, so its two lookups reach the
	// resolver's cache once, not once per message.
	if st.Queries != 6 || st.Lookups != 3003 {
		t.Errorf("stats %+v, want 3003 lookups and 6 queries", st)
	}
}
