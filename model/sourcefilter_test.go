package model

import "testing"

func TestSourceFilter(t *testing.T) {
	src := &SourceFilter{IP: "203.0.113.7", FromDomains: []string{"example.com"}}
	msg := func(ip, from string) *Message {
		return &Message{FromDomain: from, Auth: &Auth{SPF: SPFResult{IP: ip}}}
	}
	tests := []struct {
		name string
		m    *Message
		want bool
	}{
		{"same IP", msg("203.0.113.7", "other.example"), true},
		{"same IP, IPv4-mapped", msg("::ffff:203.0.113.7", "other.example"), true},
		{"From domain, any case", msg("192.0.2.1", "Example.COM"), true},
		{"neither", msg("192.0.2.1", "other.example"), false},
		{"no auth, no From", &Message{}, false},
		{"bad IP", msg("not an ip", ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := src.Matches(tt.m); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
			f := Filter{Source: src}
			if got := f.Match(tt.m); got != tt.want {
				t.Errorf("Filter.Match = %v, want %v", got, tt.want)
			}
		})
	}
	if got := (Filter{DMARCFailOnly: true, Source: src}).String(); got != "dmarc-fail + source 203.0.113.7" {
		t.Errorf("String = %q", got)
	}
	if (Filter{Source: src}).IsZero() {
		t.Error("a source filter is zero")
	}
}

// TestSourceFilterNarrows checks that the table re-filters from all
// messages when the source changes, not from the previous result.
func TestSourceFilterNarrows(t *testing.T) {
	a := &SourceFilter{IP: "192.0.2.1"}
	b := &SourceFilter{IP: "192.0.2.2"}
	tests := []struct {
		name     string
		old, new Filter
		want     bool
	}{
		{"source added", Filter{}, Filter{Source: a}, true},
		{"source kept", Filter{Source: a}, Filter{Source: a, RiskyOnly: true}, true},
		{"source changed", Filter{Source: a}, Filter{Source: b}, false},
		{"source dropped", Filter{Source: a}, Filter{}, false},
	}
	for _, tt := range tests {
		if got := tt.new.narrows(tt.old); got != tt.want {
			t.Errorf("%s: narrows = %v, want %v", tt.name, got, tt.want)
		}
	}
	tb := NewTable()
	tb.Append(
		Message{ID: "1", Auth: &Auth{SPF: SPFResult{IP: "192.0.2.1"}}},
		Message{ID: "2", Auth: &Auth{SPF: SPFResult{IP: "192.0.2.2"}}},
	)
	tb.SetFilter(Filter{Source: a})
	tb.SetFilter(Filter{Source: b})
	if tb.Len() != 1 || tb.RowAt(0).ID() != "2" {
		t.Fatalf("after switching sources the table shows %d message(s)", tb.Len())
	}
}
