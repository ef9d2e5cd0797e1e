package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"unsafe"

	"mxaudit/model"
	"mxaudit/model/store"
)

// keptOf is a keptRows holding rows, per to a block, found by ID.
func keptOf(per int, rows []model.Row) *keptRows {
	k := &keptRows{done: make(chan struct{}), per: per}
	close(k.done)
	for len(rows) > 0 {
		n := min(per, len(rows))
		k.blocks, rows = append(k.blocks, rows[:n:n]), rows[n:]
	}
	k.indexBlocks()
	return k
}

// listerInto is a primed lister over kept that records what it emits.
func listerInto(k *keptRows, msgs *[]model.Message, rows *[]*model.Row) *rowLister {
	l := newRowLister(context.Background(), func(m model.Message, r *model.Row) error {
		*msgs, *rows = append(*msgs, m), append(*rows, r)
		return nil
	})
	l.kept, l.primed = k, true
	return l
}

func sumOf(t *testing.T, m model.Message) model.ContentSum {
	t.Helper()
	e, err := store.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return model.SumContent(e.Message().Encoded.JSON)
}

// TestZeroSumRowIsNeverReused (found in review): a row kept with no sum
// (its message could not be encoded) is never given to another message
// of the same ID that cannot be encoded either: the zero sum names
// nothing.
func TestZeroSumRowIsNeverReused(t *testing.T) {
	clean := model.Message{ID: "x\xff", Subject: "hello", Verdict: model.Verdict{Attachment: model.AttachmentClean}}
	if _, err := store.Encode(clean); err == nil {
		t.Fatal("the test needs a message that cannot be encoded")
	}
	k := keptOf(4, []model.Row{model.NewRowOf(&clean, model.ContentSum{})})
	hostile := model.Message{ID: "x\xff", Subject: "invoice \xfe",
		Verdict:     model.Verdict{Attachment: model.AttachmentRisky, Reasons: []string{"risky"}},
		Attachments: []model.Attachment{{Filename: "a.exe", Risks: []model.Risk{"executable"}}}}
	var msgs []model.Message
	var rows []*model.Row
	l := listerInto(k, &msgs, &rows)
	if err := l.emitMessage(hostile); err != nil {
		t.Fatal(err)
	}
	if l.reused != 0 || !rows[0].Has(model.RowRisky) || rows[0].Subject() != hostile.Subject {
		t.Fatalf("the hostile message got the kept clean row (reused %d, risky %v)", l.reused, rows[0].Has(model.RowRisky))
	}
}

// TestUndecodableEncodedMessageIsAnError (found in review): a message
// whose head decoded but whose cached bytes do not is listed as the
// error it is, never as the clean row its head alone would make, and
// the spill keeps that error, not a message that reads back clean.
func TestUndecodableEncodedMessageIsAnError(t *testing.T) {
	whole, enc := encodedZipMail(t)
	m := enc.Message()
	head := model.Message{ID: m.ID, Subject: m.Subject, SHA256: m.SHA256}
	e := *m.Encoded
	e.JSON = append([]byte(nil), e.JSON[:len(e.JSON)-5]...) // cut: does not decode
	head.Encoded = &e
	var msgs []model.Message
	var rows []*model.Row
	l := listerInto(nil, &msgs, &rows)
	if err := l.emitMessage(head); err != nil {
		t.Fatal(err)
	}
	if rows[0].ReadError() == "" || !rows[0].Content().IsZero() {
		t.Fatalf("an undecodable message listed as a clean row: error %q", rows[0].ReadError())
	}
	s := NewSpill(t.TempDir())
	defer s.Close()
	s.Put(msgs[0])
	if got, err := s.Get("zip.eml"); err != nil || got.Error == "" {
		t.Fatalf("read back %+v, %v; want the error message", got, err)
	}
	// The spill alone, given such bytes, fails closed, and an older copy
	// under the ID does not answer for it.
	s.Put(whole)
	s.Put(head)
	if _, err := s.Get("zip.eml"); !errors.Is(err, ErrSpillDamaged) {
		t.Fatalf("undecodable bytes read back: %v", err)
	}
}

// TestKeptRowsAnswerForTheirSumOnce: a kept row answers only for its ID
// and sum, once; of two with one ID (a listing that named a file twice)
// the later answers, as a map's would; a block whose rows were all
// taken is let go, and its rows are no longer found.
func TestKeptRowsAnswerForTheirSumOnce(t *testing.T) {
	var msgs []model.Message
	for i := range 9 {
		msgs = append(msgs, model.Message{ID: model.MessageID("m" + strconv.Itoa(i)), Subject: fmt.Sprint("subject ", i)})
	}
	twin := model.Message{ID: "m0", Subject: "risky twin", Verdict: model.Verdict{Attachment: model.AttachmentRisky},
		Attachments: []model.Attachment{{Filename: "x.exe", Risks: []model.Risk{"executable"}}}}
	var rows []model.Row
	for _, m := range slices.Concat(msgs, []model.Message{twin}) {
		rows = append(rows, model.NewRowOf(&m, sumOf(t, m)))
	}
	k := keptOf(4, rows) // blocks of m0-m3, m4-m7, m8 and the twin
	if r := k.find("m0", sumOf(t, msgs[0])); r != nil {
		t.Fatal("the first of two rows of m0 answered")
	}
	for _, m := range slices.Concat(msgs[1:8], []model.Message{twin}) {
		r := k.find(m.ID, sumOf(t, m))
		if r == nil || r.Subject() != m.Subject {
			t.Fatalf("%s (%s): found %v", m.ID, m.Subject, r)
		}
	}
	if k.blocks[0] == nil || k.blocks[1] != nil {
		t.Fatal("the second block, all of it taken, is still held, or the first, not all taken, is not")
	}
	if r := k.find("m1", sumOf(t, msgs[1])); r != nil {
		t.Fatal("a row taken was found again")
	}
	if r := k.find("m8", sumOf(t, msgs[6])); r != nil {
		t.Fatal("a row was found for another message's sum")
	}
	if r := k.find("m8", sumOf(t, msgs[8])); r == nil {
		t.Fatal("m8 was not found")
	}
}

// TestKeptRowsHeader: a list is read only when this build wrote it with
// this row codec, and when it announces no more rows than the cache's
// scans could have kept.
func TestKeptRowsHeader(t *testing.T) {
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{fmt.Sprintf("%s %d b d 10\n", rowsMagic, model.RowCodecVersion), true},
		{fmt.Sprintf("%s %d b d 100\n", rowsMagic, model.RowCodecVersion), true},
		{fmt.Sprintf("%s %d b d 101\n", rowsMagic, model.RowCodecVersion), false},
		{fmt.Sprintf("%s %d b d 10\n", rowsMagic, model.RowCodecVersion-1), false},
		{fmt.Sprintf("%s %d other d 10\n", rowsMagic, model.RowCodecVersion), false},
		{fmt.Sprintf("%s %d b d 0\n", rowsMagic, model.RowCodecVersion), false},
		{fmt.Sprintf("%s %d b d 10", rowsMagic, model.RowCodecVersion), false},
		{fmt.Sprintf("other %d b d 10\n", model.RowCodecVersion), false},
	} {
		if _, ok := keptRowsHeader(c.line, "b", 100); ok != c.ok {
			t.Errorf("%q: accepted %v, want %v", c.line, ok, c.ok)
		}
	}
}

// TestSpillKeepsEncodedMessagesWhole (found in review): an encoded
// message the spill keeps in memory (no file; a write that fails) is
// read back whole, never head-only; one whose bytes do not decode is not
// kept, nor any older copy under its ID, in the order put.
func TestSpillKeepsEncodedMessagesWhole(t *testing.T) {
	whole, enc := encodedZipMail(t)
	head := func(json []byte) model.Message {
		m := model.Message{ID: whole.ID, Subject: whole.Subject, SHA256: whole.SHA256}
		e := *enc.Message().Encoded
		e.JSON = json
		m.Encoded = &e
		return m
	}
	good := head(enc.Message().Encoded.JSON)
	bad := head(enc.Message().Encoded.JSON[:20])
	for _, how := range []string{"no file", "write fails"} {
		var s *Spill
		if how == "no file" {
			s = NewSpill(noSpillDir(t))
		} else {
			s = NewSpill(t.TempDir())
			ro, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", s.f.Fd()))
			if err != nil {
				t.Skip("no /proc to reopen the file read-only:", err)
			}
			s.f.Close()
			s.f = ro
		}
		s.Put(good)
		got, err := s.Get(whole.ID)
		if err != nil || got.IsEncoded() || !got.IsEncrypted() || len(got.Attachments) != 1 {
			t.Fatalf("%s: read back %+v, %v; want the whole message", how, got, err)
		}
		s.Put(good, bad) // the later copy does not decode: it wins, and is no copy
		if got, err := s.Get(whole.ID); err == nil {
			t.Fatalf("%s: an older copy answers for undecodable bytes: %+v", how, got)
		}
		s.Close()
	}
}

// TestListedRowsAreCopies (found in review): the rows the lister hands on
// for kept rows are copies, not the kept blocks' rows, and the blocks
// are let go once all their rows are taken.
func TestListedRowsAreCopies(t *testing.T) {
	var msgs []model.Message
	var kept []model.Row
	for i := range 6 {
		m := model.Message{ID: model.MessageID("m" + strconv.Itoa(i)), Subject: fmt.Sprint("subject ", i)}
		msgs = append(msgs, m)
		kept = append(kept, model.NewRowOf(&m, sumOf(t, m)))
	}
	k := keptOf(4, kept)
	blocks := slices.Clone(k.blocks)
	var emitted []model.Message
	var rows []*model.Row
	l := listerInto(k, &emitted, &rows)
	for _, m := range msgs {
		if err := l.emitMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	if l.reused != len(msgs) {
		t.Fatalf("%d rows reused of %d", l.reused, len(msgs))
	}
	for i, r := range rows {
		for _, b := range blocks {
			if len(b) > 0 && uintptr(unsafe.Pointer(r)) >= uintptr(unsafe.Pointer(&b[0])) &&
				uintptr(unsafe.Pointer(r)) < uintptr(unsafe.Pointer(&b[0]))+uintptr(len(b))*unsafe.Sizeof(b[0]) {
				t.Fatalf("row %d is a kept block's", i)
			}
		}
		if r.ID() != msgs[i].ID || r.Content() != kept[i].Content() {
			t.Fatalf("row %d is not the kept row of %s", i, msgs[i].ID)
		}
	}
	for i, b := range k.blocks {
		if b != nil {
			t.Fatalf("block %d, all of it taken, is still held", i)
		}
	}
}
