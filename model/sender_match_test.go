package model

import (
	"slices"
	"testing"
)

// TestSenderOnceForManyExceptions: one Sender matched against exceptions
// of both scopes, in any order, answers as MatchesSender does for each
// alone: normalising one side lazily leaves the other as it was.
func TestSenderOnceForManyExceptions(t *testing.T) {
	exceptions := []Exception{
		{Scope: ScopeAddress, Value: "sato@example.co.jp"},
		{Scope: ScopeDomain, Value: "example.co.jp"},
		{Scope: ScopeDomain, Value: "*.example.co.jp"},
		{Scope: ScopeDomain, Value: "xn--wgv71a119e.jp"}, // 日本語.jp
		{Scope: ScopeAddress, Value: "info@xn--wgv71a119e.jp"},
	}
	// Each sender with the exceptions that cover it, by index.
	senders := []struct {
		addr, domain string
		covered      []int
	}{
		{"Sato@Example.CO.JP", "Example.CO.JP", []int{0, 1}},
		{"sato@mail.example.co.jp", "", []int{2}},
		{"info@日本語.jp", "日本語.jp", []int{3, 4}},
		{"bad address", "example.co.jp", []int{1}},
		{"sato@example.co.jp", "not a domain!", []int{0}},
		{"", "", nil},
	}
	for _, sender := range senders {
		sd := [2]string{sender.addr, sender.domain}
		for i := range exceptions {
			if got, want := exceptions[i].MatchesSender(sd[0], sd[1]), slices.Contains(sender.covered, i); got != want {
				t.Errorf("%q against %s %s: %v, want %v", sd, exceptions[i].Scope, exceptions[i].Value, got, want)
			}
		}
		for _, order := range [][]int{{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {1, 0, 3, 2, 4}} {
			s := NewSender(sd[0], sd[1])
			for _, i := range order {
				e := &exceptions[i]
				if got, want := e.CoversSender(&s), e.MatchesSender(sd[0], sd[1]); got != want {
					t.Errorf("%q against %s %s (order %v): %v, alone %v", sd, e.Scope, e.Value, order, got, want)
				}
			}
		}
	}
}
