package model

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestInternerMessage checks the exported Interner: a message comes back
// equal in every field, its repeated strings shared with an earlier
// message's, its one-off strings not; the caller's message is not
// written; a nil Interner passes everything through.
func TestInternerMessage(t *testing.T) {
	repeated := map[string]bool{"FromDomain": true, "Reason": true, "Reasons": true, "ContentType": true}
	var in Interner
	a := in.Message(filled("a", repeated))
	orig := filled("b", repeated)
	b := in.Message(orig)
	if !reflect.DeepEqual(b, filled("b", repeated)) {
		t.Fatal("interning changed the message")
	}
	if !reflect.DeepEqual(orig, filled("b", repeated)) {
		t.Fatal("interning wrote into the caller's message")
	}
	tests := []struct {
		name  string
		field func(Message) string
		want  bool
	}{
		{"FromDomain", func(m Message) string { return m.FromDomain }, true},
		{"Reasons", func(m Message) string { return m.Verdict.Reasons[0] }, true},
		{"DMARC reason", func(m Message) string { return m.Auth.DMARC.Reason }, true},
		{"ContentType", func(m Message) string { return m.Attachments[0].ContentType }, true},
		{"Subject", func(m Message) string { return m.Subject }, false},
	}
	for _, tt := range tests {
		if got := sameString(tt.field(a), tt.field(b)); got != tt.want {
			t.Errorf("%s shared: %v, want %v", tt.name, got, tt.want)
		}
	}
	if s := in.String(" repeated"); in.Len() == 0 || s != " repeated" {
		t.Errorf("String = %q, Len = %d", s, in.Len())
	}
	var none *Interner
	m := filled("c", repeated)
	if got := none.Message(m); !reflect.DeepEqual(got, m) || !sameString(got.FromDomain, m.FromDomain) {
		t.Error("a nil Interner changed a message")
	}
	if none.String("x") != "x" || none.Len() != 0 || len(none.Strings([]string{"y"})) != 1 {
		t.Error("a nil Interner changed a string")
	}
}

// TestInternerOwned: Owned gives the shared copy where the interner
// keeps one, and otherwise a copy of its own — past the count, past the
// length, on a nil Interner — never the string it was given, which may
// be cut from a larger buffer.
func TestInternerOwned(t *testing.T) {
	head := strings.Repeat("x", 2*maxInternLen) + "a@example.jp" // a buffer the strings are cut from
	cut := func(i, j int) string { return head[i:j] }
	var in Interner
	first := in.Owned(cut(len(head)-12, len(head)))
	if sameString(first, cut(len(head)-12, len(head))) {
		t.Fatal("Owned kept the cut it was given")
	}
	if again := in.Owned(cut(len(head)-12, len(head))); !sameString(again, first) {
		t.Fatal("Owned did not give the shared copy")
	}
	long := cut(0, maxInternLen+1)
	if got := in.Owned(long); sameString(got, long) || got != long {
		t.Fatal("Owned kept a string too long to share, instead of a copy")
	}
	for i := in.Len(); i < maxInterned; i++ {
		in.String(fmt.Sprint(i))
	}
	past := cut(3, 20)
	if got := in.Owned(past); sameString(got, past) || got != past {
		t.Fatal("Owned kept a string past the interner's count, instead of a copy")
	}
	var none *Interner
	if got := none.Owned(past); sameString(got, past) || got != past {
		t.Fatal("a nil Interner's Owned kept the string, instead of a copy")
	}
	if got := in.Owned(""); got != "" {
		t.Fatalf("Owned(\"\") = %q", got)
	}
}
