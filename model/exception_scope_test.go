package model

import (
	"strings"
	"testing"
)

// TestPublicSuffixScopes: a domain scope at or above a public suffix is
// refused by the full PSL algorithm, wildcard and exception rules
// included; a wildcard never reaches past a public suffix below it.
func TestPublicSuffixScopes(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"*.kawasaki.jp", "", "wildcard rule"},           // *.kawasaki.jp: every x.kawasaki.jp is a suffix
		{"foo.kawasaki.jp", "", "public suffix"},         // itself a suffix by that wildcard
		{"city.kawasaki.jp", "city.kawasaki.jp", ""},     // !city.kawasaki.jp: an exception rule, registrable
		{"*.city.kawasaki.jp", "*.city.kawasaki.jp", ""}, // under the exception: one registrant
		{"*.co.jp", "", "public suffix"},                 // co.jp is a suffix
		{"*.example.co.jp", "*.example.co.jp", ""},       // an ordinary registered name
		{"*.github.io", "", "public suffix"},             // a private-section suffix
		{"*.sub.example.org", "*.sub.example.org", ""},   // plain subdomain
		{"*.compute.amazonaws.com", "", "wildcard rule"}, // *.compute.amazonaws.com in the private section
		{"*.s3.amazonaws.com", "", "public suffix"},      // a named private suffix
		{"*.amazonaws.com", "*.amazonaws.com", ""},       // allowed, but stops at the suffixes below (see TestWildcardStopsAtSuffix)
	}
	for _, tt := range tests {
		got, err := NormalizeExceptionValue(ScopeDomain, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: got %q, %v; want an error with %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestWildcardStopsAtSuffix: *.parent covers names of parent's registrant
// only, never names registered under a public suffix below parent.
func TestWildcardStopsAtSuffix(t *testing.T) {
	tests := []struct {
		value, domain string
		want          bool
	}{
		{"*.amazonaws.com", "mail.amazonaws.com", true},
		{"*.amazonaws.com", "bucket.s3.amazonaws.com", false}, // s3.amazonaws.com is a public suffix
		{"*.amazonaws.com", "host.eu-west-1.compute.amazonaws.com", false},
		{"*.city.kawasaki.jp", "mail.city.kawasaki.jp", true},
		{"*.example.co.jp", "mx.example.co.jp", true},
	}
	for _, tt := range tests {
		e := Exception{Scope: ScopeDomain, Value: tt.value}
		if got := e.MatchesSender("a@"+tt.domain, tt.domain); got != tt.want {
			t.Errorf("%s matches %s = %v, want %v", tt.value, tt.domain, got, tt.want)
		}
	}
}
