package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/model"
	"mxaudit/model/store"
)

// TestRowsAfterAChangeAreTheFreshScans: once a console's list is kept, a
// scan after the quarantine changed (a mail delivered, and the password
// mail a ZIP mail paired with removed) hands out every message with its
// row, each the row of what a scan without any cache emits: most kept
// from the last list, and anew those of the new mail and of the ZIP mail
// whose pairing changed, never the kept row of its old pairing.
func TestRowsAfterAChangeAreTheFreshScans(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	fresh := freshScan(t, dir, cfg)
	var zip, password model.MessageID
	for i := range fresh {
		for _, att := range fresh[i].Attachments {
			if arc := att.Archive; arc != nil && arc.PasswordSource != "" && zip == "" {
				zip, password = fresh[i].ID, arc.PasswordSource
			}
		}
	}
	if zip == "" {
		t.Fatal("no paired ZIP mail: the test checks no pairing outcome")
	}
	var zipSum model.ContentSum
	for _, r := range before.rows {
		if r.ID() == zip {
			zipSum = r.Content()
		}
	}
	if zipSum.IsZero() {
		t.Fatal("the kept row of the ZIP mail has no sum")
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*", string(password)+"*")) // its flags after it
	if len(paths) != 1 {
		t.Fatalf("the password mail %s is at %q", password, paths)
	}
	if err := os.Remove(paths[0]); err != nil {
		t.Fatal(err)
	}
	deliverCopy(t, dir, "1000000000.M1P1.delivered")

	want := freshScan(t, dir, cfg)
	s := scanRows(t, a)
	if len(s.rows) != 0 {
		t.Fatal("a scan of a changed Maildir handed out the old list")
	}
	sameAsFresh(t, "changed", a, s, want)
	listed := a.listed.Load()
	if listed.made < 2 || listed.reused < len(want)*3/4 || listed.made+listed.reused != len(want) {
		t.Fatalf("%d rows made and %d kept of %d: want the new mail's and the ZIP mail's made, most kept",
			listed.made, listed.reused, len(want))
	}
	for i, m := range s.msgs {
		if m.ID == zip && s.msgRows[i].Content() == zipSum {
			t.Fatal("the ZIP mail whose password mail went is listed with its old row")
		}
	}

	// Nothing changed since: the list kept by that scan is handed out.
	if s := scanRows(t, a); len(s.rows) != len(want) {
		t.Fatalf("after the scan, %d rows of %d handed out", len(s.rows), len(want))
	}
}

// deliverCopy delivers as name, in new, a copy of the first mail in the
// Maildir dir's cur that holds an encrypted archive: pairing reads it,
// and, named to be listed before the snapshot's last message, it makes
// the next scan pair the whole listing again (mail listed after it is
// replayed with the snapshot instead, paired from its tail where it may
// pair: snapshotdelta.go, snapshotresume.go).
func deliverCopy(t *testing.T, dir, name string) {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
	an := analysis.New(analysis.Config{})
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if m := an.Analyze(context.Background(), "copy", bytes.NewReader(raw)); !ppap.NeedsPairing(&m) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "new", name), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no mail with an encrypted archive to deliver a copy of")
}

// TestKeptRowsNotUsed: a list another binary kept (its rows may be
// computed otherwise), or one announcing more rows than the cache's
// scans could have kept (room made for them would be the file's to
// choose), gives no row: every row is made anew.
func TestKeptRowsNotUsed(t *testing.T) {
	for _, c := range []struct {
		what string
		edit func(header []string)
	}{
		{"another build's", func(h []string) { h[2] = h[2][:len(h[2])-1] + "x" }},
		{"too long", func(h []string) { h[4] = strconv.Itoa(1 << 29) }},
	} {
		a, dir, cfg := keptQuarantine(t, Options{})
		untilRows(t, a)
		path, h, rest := keptHeader(t, cfg)
		c.edit(h)
		rewriteKept(t, path, h, rest)
		deliverCopy(t, dir, "1000000000.M1P1.delivered")
		s := scanRows(t, a)
		if listed := a.listed.Load(); listed.reused != 0 || listed.made != len(s.msgs) || len(s.msgs) == 0 {
			t.Fatalf("%s list: %d rows kept, %d made of %d", c.what, listed.reused, listed.made, len(s.msgs))
		}
		sameAsFresh(t, c.what, a, s, freshScan(t, dir, cfg))
	}
}

// TestKeptRowsLetGoWhenFewMatch: kept rows that answer fewer than one
// lookup in keptHitsFloor of the first keptTrial are let go; a row is
// only found for its ID and sum.
func TestKeptRowsLetGoWhenFewMatch(t *testing.T) {
	for _, hits := range []int{keptTrialFloor - 1, keptTrialFloor} {
		msgs := make([]model.Message, keptTrial+1)
		b := model.NewRowBuilder()
		k := &keptRows{done: make(chan struct{}), per: len(msgs)}
		close(k.done)
		k.blocks = [][]model.Row{make([]model.Row, len(msgs))}
		for i := range msgs {
			msgs[i] = model.Message{ID: model.MessageID("m" + strconv.Itoa(i)), Subject: "s"}
			k.blocks[0][i] = *b.RowOf(&msgs[i], model.SumContent([]byte(msgs[i].ID)))
		}
		k.indexBlocks()
		l := &rowLister{kept: k, primed: true}
		found := 0
		for i := range keptTrial {
			sum := model.SumContent([]byte(msgs[i].ID))
			if i >= hits {
				sum = model.SumContent([]byte("other content"))
			}
			if l.reuse(msgs[i].ID, sum) != nil {
				found++
			}
		}
		if found != hits {
			t.Fatalf("%d rows found, want %d", found, hits)
		}
		last := msgs[keptTrial].ID
		r := l.reuse(last, model.SumContent([]byte(last)))
		if keep := hits >= keptTrialFloor; (r != nil) != keep || (l.kept != nil) != keep {
			t.Fatalf("%d hits of %d: kept %v, found %v", hits, keptTrial, l.kept != nil, r != nil)
		}
	}
}

// encodedZipMail is a ZIP mail's analysis, and it encoded as the cache
// encodes it.
func encodedZipMail(t *testing.T) (model.Message, store.EncodedMessage) {
	t.Helper()
	m := model.Message{ID: "zip.eml", Subject: "s", SHA256: "ab",
		Verdict:     model.Verdict{Attachment: model.AttachmentEncrypted, Reasons: []string{"encrypted"}},
		Attachments: []model.Attachment{{Filename: "a.zip"}}}
	enc, err := store.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return m, enc
}

// TestSpillWritesEncodedBytes: a message still encoded is written as the
// bytes it carries, and read back whole, from the file or (when the
// file fails) from memory, decoded first.
func TestSpillWritesEncodedBytes(t *testing.T) {
	m, enc := encodedZipMail(t)
	for _, inMemory := range []bool{false, true} {
		dir := t.TempDir()
		if inMemory {
			dir = noSpillDir(t)
		}
		s := NewSpill(dir)
		s.Put(enc.Message())
		if !inMemory {
			if s.recs.len() != 1 || !bytes.Equal(readAt(t, s, *s.recs.at(0)), enc.Message().Encoded.JSON) {
				t.Fatalf("the record is not the message's encoded bytes")
			}
		} else if len(s.mem) != 1 || s.mem[0].IsEncoded() {
			t.Fatalf("in memory: %d kept, encoded %v", len(s.mem), len(s.mem) == 1 && s.mem[0].IsEncoded())
		}
		got, err := s.Get("zip.eml")
		if err != nil || !sameJSON(t, got, m) {
			t.Fatalf("in memory %v: read back %s, %v", inMemory, jsonOf(t, got), err)
		}
		s.Close()
	}
	// The hash its holder gives is the one the record is checked
	// against: a wrong one fails the read, never gives another message.
	s := NewSpill(t.TempDir())
	defer s.Close()
	wrong := enc.Message()
	e := *wrong.Encoded
	e.JSONSum, e.HasJSONSum = sha256.Sum256([]byte("other bytes")), true
	wrong.Encoded = &e
	s.Put(wrong)
	if _, err := s.Get("zip.eml"); !errors.Is(err, ErrSpillDamaged) {
		t.Fatalf("a record put with another hash: %v, want ErrSpillDamaged", err)
	}
}
