package ppap

import (
	"context"
	"reflect"
	"testing"

	"mxaudit/model"
)

// packedTail is a Tail of every kind of entry, packed.
func packedTail(t testing.TB) []byte {
	tail := &Tail{seq: 40, latest: t0, indexed: []int{3, 7, 30, 39},
		held: []tailHeld{
			{seq: 30, zip: true, pins: []int{39, 31}},
			{seq: 31, notes: []note{{seq: 12, link: model.PasswordLink{Message: "z12", Attachment: 1, Filename: "見積書.zip", SHA256: "ab"}}}},
			{seq: 39},
		}}
	b, err := tail.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTailUnpacksOnlyWhatItPacks(t *testing.T) {
	b := packedTail(t)
	var x Tail
	if err := x.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		var y Tail
		if y.UnmarshalBinary(b[:n]) == nil {
			t.Errorf("cut to %d of %d bytes, it unpacks", n, len(b))
		}
	}
	for _, bad := range []struct {
		name string
		tail Tail
	}{
		{"a place past the next", Tail{seq: 5, indexed: []int{5}}},
		{"a held place past the next", Tail{seq: 5, held: []tailHeld{{seq: 5, zip: true}}}},
		{"places out of order", Tail{seq: 9, indexed: []int{4, 2}}},
		{"a place twice", Tail{seq: 9, held: []tailHeld{{seq: 2, zip: true}, {seq: 2, zip: true}}}},
		{"pins not held", Tail{seq: 9, held: []tailHeld{{seq: 2, zip: true, pins: []int{3}}}}},
		{"a pin of itself", Tail{seq: 9, held: []tailHeld{{seq: 2, zip: true, pins: []int{2}}}}},
		{"a pin twice", Tail{seq: 9, held: []tailHeld{{seq: 2, zip: true, pins: []int{3, 3}}, {seq: 3}}}},
		{"pins of a mail that is no ZIP mail", Tail{seq: 9, held: []tailHeld{{seq: 2, pins: []int{3}}, {seq: 3}}}},
		{"a note of a place past the next", Tail{seq: 9, held: []tailHeld{{seq: 3, notes: []note{{seq: 9}}}}}},
	} {
		b, _ := bad.tail.MarshalBinary()
		var y Tail
		if y.UnmarshalBinary(b) == nil {
			t.Errorf("%s: it unpacks", bad.name)
		}
	}
}

// TestTailPacksEveryLinkField: a note's link is packed field by field; a
// field added to model.PasswordLink must be packed too, or a resumed
// stream would note it empty.
func TestTailPacksEveryLinkField(t *testing.T) {
	if n := reflect.TypeFor[model.PasswordLink]().NumField(); n != 4 {
		t.Fatalf("model.PasswordLink has %d fields; Tail.MarshalBinary packs 4", n)
	}
}

// FuzzTailUnpack checks that what unpacks packs alike, and that a
// stream resumed from it, reading back any message, errs or resumes but
// never panics.
func FuzzTailUnpack(f *testing.F) {
	f.Add(packedTail(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		var x Tail
		if x.UnmarshalBinary(b) != nil {
			return
		}
		again, _ := x.MarshalBinary()
		var y Tail
		if err := y.UnmarshalBinary(again); err != nil {
			t.Fatalf("an unpacked tail does not pack alike: %v", err)
		}
		y.latest = x.latest
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("an unpacked tail packs as %+v, not %+v", y, x)
		}
		if len(x.Places()) > 1000 {
			return
		}
		read := func(seq int) (model.Message, error) {
			m := model.Message{ID: model.MessageID(rune('a' + seq%26)), FromDomain: "partner.example", FromAddr: "a@partner.example"}
			if seq%2 == 0 {
				m.Attachments = []model.Attachment{{Filename: "a.zip", Archive: &model.Archive{Encrypted: true}}}
			}
			return m, nil
		}
		st, err := ResumeStream(context.Background(), Config{}, nil, func(model.Message) error { return nil }, &x, read)
		if err == nil {
			st.queue = nil // no pairing: nothing to read back
		}
	})
}
