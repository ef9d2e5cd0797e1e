package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// wideMessages are rowMessages whose rows' texts pass what 16-bit places
// reach: a thousand attachments' names or recipients, and texts on
// either side of the bound.
func wideMessages(t *testing.T) []Message {
	t.Helper()
	msgs := rowMessages(rand.New(rand.NewPCG(31, 5)), 60)
	for i := range msgs {
		m := &msgs[i]
		if i%3 == 2 {
			continue
		}
		for j := range 2000 {
			m.Attachments = append(m.Attachments, Attachment{Filename: fmt.Sprintf("Scan-%04d-of-the-quarterly-report.pdf", j)})
		}
		if i%3 == 1 {
			for j := range 2000 {
				m.To = append(m.To, fmt.Sprintf("Member %d <member.%d@lists.example.com>", j, j))
			}
		}
	}
	// Rows whose texts are maxNarrowText-1 to maxNarrowText+1 bytes.
	for extra := -1; extra <= 1; extra++ {
		m := Message{ID: MessageID(fmt.Sprintf("edge%d", extra)), From: "a@b.example"}
		r := NewRow(&m)
		m.Subject = strings.Repeat("x", maxNarrowText+extra-len(r.text)-1) // and a NUL
		if r := NewRow(&m); len(r.text) != maxNarrowText+extra {
			t.Fatalf("an edge row's text of %d bytes, want %d", len(r.text), maxNarrowText+extra)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// TestWideRowsAreWhole: a row whose text is longer than 16-bit places
// reach keeps them whole, and shows, filters and encodes as its message
// says, as a row of a short text does (TestRowShowsWhatTheMessageSays,
// TestRowFilterMatchesMessageFilter, TestRowCodecRoundTrip); the row of
// a short text takes 152 bytes on a 64-bit machine (136 before its
// content sum).
func TestWideRowsAreWhole(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) == 8 {
		if got := unsafe.Sizeof(Row{}); got > 152 {
			t.Errorf("a row takes %d bytes, want at most 152", got)
		}
	}
	msgs := wideMessages(t)
	rows := make([]Row, len(msgs))
	var enc RowEncoder
	var b []byte
	wide := 0
	for i := range msgs {
		rows[i] = NewRow(&msgs[i])
		r := &rows[i]
		if got, want := r.wide != nil, len(r.text) > maxNarrowText; got != want {
			t.Fatalf("%s: text of %d bytes kept wide %v", msgs[i].ID, len(r.text), got)
		}
		if r.wide != nil {
			wide++
		}
		if r.ID() != msgs[i].ID || r.From() != msgs[i].DisplayFrom() || r.Subject() != msgs[i].Subject ||
			r.Partner() != PartnerDomain(&msgs[i]) || r.FromAddr() != msgs[i].FromAddr {
			t.Fatalf("%s: the row shows %q %q %q", msgs[i].ID, r.ID(), r.From(), r.Subject())
		}
		b = enc.Append(b, r)
	}
	if wide < 40 || wide == len(msgs) {
		t.Fatalf("%d of %d rows wide: the test cannot tell", wide, len(msgs))
	}
	for _, text := range []string{"quarterly", "scan-1999", "member.1999@", "from:" + msgs[0].FromAddr, "to:member.7@", "msgid:<", "subject:a", "domain:example.com", "xxxxxxxx", "nothing-has-this"} {
		var q *Query
		if IsQuery(text) {
			parsed, err := ParseQuery(text)
			if err != nil {
				t.Fatal(err)
			}
			q = &parsed
		}
		f, lower := Filter{Text: text}, strings.ToLower(text)
		for i := range msgs {
			if got, want := f.MatchRow(&rows[i], lower, q), f.match(&msgs[i], haystack(&msgs[i]), lower, q); got != want {
				t.Errorf("%q on %s (text of %d bytes): row %v, message %v", text, msgs[i].ID, len(rows[i].text), got, want)
			}
		}
	}
	decoded := make([]Row, len(rows))
	if err := new(RowDecoder).DecodeBlock(string(b), decoded); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if want := rows[i].WithException(nil); !reflect.DeepEqual(decoded[i], want) {
			t.Fatalf("%s decoded otherwise", msgs[i].ID)
		}
	}
}
