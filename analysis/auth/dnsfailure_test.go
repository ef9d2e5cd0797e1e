package auth

import (
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/model"
)

// TestTreeWalkTimeouts drops one question of the walk at a time. RFC 9989
// §5.3.6: when a query DMARC needs does not complete, the message can be
// said neither to pass nor to fail — temperror, and verdict.auth
// "temperror", never "fail". A record found at the From domain itself is
// the policy whatever happens above it (§4.10.1), so a timeout after it
// still applies that record to a message nothing aligned vouches for.
func TestTreeWalkTimeouts(t *testing.T) {
	rk, _ := testKeys()
	key := keyRecord(t, rk)
	zone := dnszone.Zone{
		{Name: "_dmarc.tw.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
		{Name: "_dmarc.own.tw.example", Type: "TXT", Value: "v=DMARC1; p=quarantine"},
		{Name: "k._domainkey.tw.example", Type: "TXT", Value: key},
		{Name: "k._domainkey.own.tw.example", Type: "TXT", Value: key},
		{Name: "_dmarc.npt.example", Type: "TXT", Value: "v=DMARC1; p=none; sp=quarantine; np=reject"},
	}
	tests := []struct {
		name, drop, from, dkim string
		want                   model.Result
		wantVerdict            model.AuthVerdict
		wantDisposition        model.Disposition
		wantReason             string
	}{
		// From a.tw.example: the walk asks _dmarc.a.tw.example,
		// _dmarc.tw.example, _dmarc.example.
		{name: "no failure", from: "x@a.tw.example",
			want: model.ResultFail, wantVerdict: model.AuthFail, wantDisposition: model.DispositionReject},
		{name: "timeout at the From domain", drop: "_dmarc.a.tw.example", from: "x@a.tw.example",
			want: model.ResultTempError, wantVerdict: model.AuthTempError, wantReason: "_dmarc.a.tw.example did not answer"},
		{name: "timeout at the parent", drop: "_dmarc.tw.example", from: "x@a.tw.example",
			want: model.ResultTempError, wantVerdict: model.AuthTempError, wantReason: "_dmarc.tw.example did not answer"},
		{name: "timeout at the top", drop: "_dmarc.example", from: "x@a.tw.example",
			want: model.ResultTempError, wantVerdict: model.AuthTempError, wantReason: "_dmarc.example did not answer"},
		// From own.tw.example, which publishes its own record.
		{name: "record at From, timeout above: record applies", drop: "_dmarc.tw.example", from: "x@own.tw.example",
			want: model.ResultFail, wantVerdict: model.AuthFail, wantDisposition: model.DispositionQuarantine},
		{name: "record at From, timeout above, identical DKIM passes", drop: "_dmarc.tw.example", from: "x@own.tw.example", dkim: "own.tw.example",
			want: model.ResultPass, wantVerdict: model.AuthPass},
		{name: "record at From, timeout above, parent DKIM: alignment unknown", drop: "_dmarc.tw.example", from: "x@own.tw.example", dkim: "tw.example",
			want: model.ResultTempError, wantVerdict: model.AuthTempError, wantReason: "whether DKIM d=tw.example is aligned is unknown"},
		{name: "record at From, no failure, parent DKIM aligned", from: "x@own.tw.example", dkim: "tw.example",
			want: model.ResultPass, wantVerdict: model.AuthPass},
		// The existence test for np= (Appendix A.4) times out: the
		// message still fails (nothing aligned passed, the policy is
		// known), and the stricter of sp= and np= applies — not knowing
		// whether the domain exists must not let out what knowing it does
		// not would hold.
		{name: "np existence test times out", drop: "ghost.npt.example", from: "x@ghost.npt.example",
			want: model.ResultFail, wantVerdict: model.AuthFail, wantDisposition: model.DispositionReject,
			wantReason: "whether ghost.npt.example exists is unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := authtest.StartDNS(t, zone)
			if tc.drop != "" {
				srv.Drop(tc.drop)
			}
			c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"},
				Resolver: NewCachingResolver(NewDNSResolver(srv.Addr(), 200*time.Millisecond))})
			a := check(t, c, dmarcMessage(t, "203.0.113.5", "b@elsewhere.example", tc.from, tc.dkim))
			d := a.DMARC
			if d.Result != tc.want {
				t.Fatalf("result %s, want %s: %s", d.Result, tc.want, d.Reason)
			}
			if v, _ := Verdict(a); v != tc.wantVerdict {
				t.Errorf("verdict %s, want %s", v, tc.wantVerdict)
			}
			if tc.wantDisposition != "" && d.Disposition != tc.wantDisposition {
				t.Errorf("disposition %q, want %q", d.Disposition, tc.wantDisposition)
			}
			if !strings.Contains(d.Reason, tc.wantReason) {
				t.Errorf("reason %q lacks %q", d.Reason, tc.wantReason)
			}
			if tc.drop != "" && !hasLookup(d.Records, tc.drop, model.LookupTempError) && tc.want == model.ResultTempError && tc.dkim == "" {
				t.Errorf("records %+v do not show %s as temperror", d.Records, tc.drop)
			}
		})
	}
}

func hasLookup(ls []model.DMARCLookup, name, status string) bool {
	for _, l := range ls {
		if l.Name == name && l.Status == status {
			return true
		}
	}
	return false
}

// TestRetryAfterOutage: the console's retry after a DNS outage. The walk
// cache keeps no incomplete walk, and ForgetTemporary drops the timeouts
// the resolver cache remembers, so the same checker asks DNS again at once.
func TestRetryAfterOutage(t *testing.T) {
	zone := dnszone.Zone{{Name: "_dmarc.tw.example", Type: "TXT", Value: "v=DMARC1; p=reject"}}
	srv := authtest.StartDNS(t, zone)
	srv.Drop("_dmarc.tw.example")
	cache := NewCachingResolver(NewDNSResolver(srv.Addr(), 200*time.Millisecond))
	c := NewChecker(Config{TrustedHosts: []string{"mx.example.org"}, Resolver: cache})
	msg := dmarcMessage(t, "203.0.113.5", "b@elsewhere.example", "x@a.tw.example", "")
	if a := check(t, c, msg); a.DMARC.Result != model.ResultTempError {
		t.Fatalf("during the outage: %s", a.DMARC.Result)
	}
	asked := func() int { return srv.QueriesFor("_dmarc.tw.example") }
	n := asked()
	if a := check(t, c, msg); a.DMARC.Result != model.ResultTempError || asked() != n {
		t.Fatalf("within the TTL the timeout comes from the cache: %s, %d queries after %d", a.DMARC.Result, asked(), n)
	}
	cache.ForgetTemporary()
	_ = check(t, c, msg)
	if asked() == n {
		t.Error("ForgetTemporary did not make the checker ask again")
	}
}
