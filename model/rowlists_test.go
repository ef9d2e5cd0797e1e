package model

import (
	"fmt"
	"reflect"
	"testing"
)

// TestRowListsAreShared: rows built together, and rows decoded from one
// stream, share the lists of messages with the same recipients and
// domains, and the string of the same recipients in another pair; rows
// with none hold none; rows with other lists hold their own. The
// recipients and domains are the message's, lower-cased.
func TestRowListsAreShared(t *testing.T) {
	msgs := []Message{
		{ID: "a", To: []string{"Ops <Ops@Example.com>"}, FromDomain: "Partner.example"},
		{ID: "b", To: []string{"ops <ops@example.com>"}, FromDomain: "partner.example"},
		{ID: "c", To: []string{"sales@example.com"}, FromDomain: "partner.example"},
		{ID: "d"},
		{ID: "e", To: []string{"ops <ops@example.com>"}, FromDomain: "other.example"},
	}
	rows := NewRowBuilder().Rows(msgs)
	var enc RowEncoder
	var b []byte
	for _, r := range rows {
		b = enc.Append(b, r)
	}
	decoded := make([]Row, len(rows))
	if err := new(RowDecoder).DecodeBlock(string(b), decoded); err != nil {
		t.Fatal(err)
	}
	for name, rs := range map[string][]*Row{"built": rows, "decoded": {&decoded[0], &decoded[1], &decoded[2], &decoded[3], &decoded[4]}} {
		if rs[4].lists == rs[0].lists || !sameString(rs[4].to(), rs[0].to()) {
			t.Errorf("%s: another pair does not share the same recipients' string", name)
		}
		if rs[0].lists == nil || rs[0].lists != rs[1].lists {
			t.Errorf("%s: the same lists are not shared: %p %p", name, rs[0].lists, rs[1].lists)
		}
		if rs[2].lists == rs[0].lists {
			t.Errorf("%s: other lists shared", name)
		}
		if rs[3].lists != nil {
			t.Errorf("%s: no recipients nor domains, yet lists %+v", name, *rs[3].lists)
		}
		var to []string
		anyPacked(rs[0].to(), func(s string) bool { to = append(to, s); return false })
		if !reflect.DeepEqual(to, []string{"ops <ops@example.com>"}) || rs[0].domains() != packStrings([]string{"partner.example"}) {
			t.Errorf("%s: lists %q %q", name, to, rs[0].domains())
		}
	}
}

// TestRowCodecListsPastTheBound: a stream with more different lists than
// an encoder remembers still decodes to its rows: the sets past the
// bound are written out each time, and numbered as the decoder counts
// them.
func TestRowCodecListsPastTheBound(t *testing.T) {
	n := maxInterned + 100
	var enc RowEncoder
	var b []byte
	want := make([]Row, 0, n+2)
	add := func(m Message) {
		r := NewRow(&m)
		b = enc.Append(b, &r)
		want = append(want, r)
	}
	for i := range n {
		add(Message{ID: MessageID(fmt.Sprint(i)), To: []string{fmt.Sprintf("u%d@example.com", i)}})
	}
	add(Message{ID: "again-first", To: []string{"u0@example.com"}})
	add(Message{ID: "again-last", To: []string{fmt.Sprintf("u%d@example.com", n-1)}})
	got := make([]Row, len(want))
	d := new(RowDecoder)
	if err := d.DecodeBlock(string(b), got); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d: lists %q, want %q", i, got[i].to(), want[i].to())
		}
	}
	if got[n].lists != got[0].lists {
		t.Error("a set the encoder remembered was not shared")
	}
	if d.nLists != uint64(n+1) || len(d.lists) != maxInterned {
		t.Errorf("%d sets decoded, %d kept; want %d (the last written again), %d kept", d.nLists, len(d.lists), n+1, maxInterned)
	}
	if got[n+1].lists == got[n-1].lists || got[n+1].to() != got[n-1].to() {
		t.Error("a set past the bound was shared, or not decoded again")
	}
}
