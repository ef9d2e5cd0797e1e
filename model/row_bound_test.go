package model

import (
	"strings"
	"testing"
)

// TestRowSearchTextIsBounded (found in review): a search text past
// maxRowHay is cut there, and the row's offsets stay inside its text, so
// that no field reads another's bytes and nothing panics; the fields a
// row shows and matches exceptions on are still the message's own.
func TestRowSearchTextIsBounded(t *testing.T) {
	defer func(n int) { maxRowHay = n }(maxRowHay)
	maxRowHay = 48
	m := Message{
		ID:          "cur/1.M1.host",
		MessageID:   "<" + strings.Repeat("Id", 40) + "@example.com>",
		From:        "Some Body " + strings.Repeat("X", 30) + " <some.body@Example.COM>",
		FromAddr:    "some.body@example.com",
		FromDomain:  "example.com",
		ReturnPath:  "bounce@" + strings.Repeat("r", 50) + ".example",
		Subject:     strings.Repeat("Quarterly report ", 8),
		Attachments: []Attachment{{Filename: strings.Repeat("file", 20) + ".zip"}},
	}
	r := NewRow(&m)
	if got := len(r.hay()); got > maxRowHay {
		t.Fatalf("search text of %d bytes, bound %d", got, maxRowHay)
	}
	if int(r.msgidStart()) > len(r.hay()) {
		t.Fatalf("msgidAt %d past the search text's %d bytes", r.msgidStart(), len(r.hay()))
	}
	for i := range 3 {
		if at := r.fromPlace(i); at.start > at.end || int(at.end) > len(r.hay()) {
			t.Errorf("fromAt[%d] = %v outside the search text's %d bytes", i, at, len(r.hay()))
		}
	}
	_ = r.searchText()
	_ = r.messageID()
	if r.ID() != m.ID || r.From() != m.DisplayFrom() || r.Subject() != m.Subject || r.FromAddr() != m.FromAddr || r.Domain() != m.FromDomain {
		t.Errorf("fields changed: %q %q %q %q %q", r.ID(), r.From(), r.Subject(), r.FromAddr(), r.Domain())
	}
	full := func() string {
		defer func(n int) { maxRowHay = n }(maxRowHay)
		maxRowHay = 1 << 30
		r := NewRow(&m)
		return r.hay()
	}()
	if !strings.HasPrefix(full, r.hay()) {
		t.Errorf("the cut search text %q is not the start of the whole one", r.hay())
	}
	for _, text := range []string{"some.body", "from:example.com", "quarterly", "zzz"} {
		q, err := ParseQuery(text)
		if err != nil {
			t.Fatal(err)
		}
		Filter{Text: text}.MatchRow(&r, strings.ToLower(text), &q) // must not panic
	}
}
