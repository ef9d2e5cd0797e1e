package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// rowScan is what one ScanRows handed out.
type rowScan struct {
	msgs []model.Message
	// msgRows are the rows the messages came with, one each.
	msgRows []*model.Row
	rows    []*model.Row
	// ahead are the rows given ahead, one entry a call: nil for a
	// withdrawal.
	ahead [][]model.Row
	// aheadFirst is set when rows were given ahead before anything
	// else the scan handed out.
	aheadFirst bool
}

// scanRows runs ScanRows on a, then keeps the list as the console does:
// the rows of what was handed out, rows first, with the function the
// scan returned.
func scanRows(t *testing.T, a *App) rowScan {
	t.Helper()
	var s rowScan
	keep, err := a.ScanRows(context.Background(), func(m model.Message, r *model.Row) error {
		if r == nil {
			t.Errorf("message %s came without its row", m.ID)
		}
		s.msgs, s.msgRows = append(s.msgs, m), append(s.msgRows, r)
		return nil
	}, func(r *model.Row) error {
		s.rows = append(s.rows, r)
		return nil
	}, func(rows []model.Row) {
		if len(s.ahead) == 0 && rows != nil && len(s.msgs)+len(s.rows) == 0 {
			s.aheadFirst = true
		}
		s.ahead = append(s.ahead, rows)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if keep == nil {
		return s
	}
	list := append(slices.Clone(s.rows), s.msgRows...)
	if err := keep(list); err != nil {
		t.Fatal(err)
	}
	return s
}

// freshScan is every message of dir as a scan without a cache emits it.
func freshScan(t *testing.T, dir string, cfg Config) []model.Message {
	t.Helper()
	cfg.Flags.NoCache = true
	return scanAll(t, dir, cfg)
}

// untilRows scans until a scan hands out rows (the first pairs, the
// second records the scan snapshot and keeps the list), at most four
// times.
func untilRows(t *testing.T, a *App) rowScan {
	t.Helper()
	for range 4 {
		if s := scanRows(t, a); len(s.rows) > 0 {
			return s
		}
	}
	t.Fatal("no scan handed out the kept list")
	return rowScan{}
}

func jsonOf(t *testing.T, m model.Message) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rowsFile is the one row snapshot in cfg's cache directory, and its
// bytes.
func rowsFile(t *testing.T, cfg Config) (string, []byte) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(cfg.CacheDir, "*.rows"))
	if len(paths) != 1 {
		t.Fatalf("row snapshots: %v", paths)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	return paths[0], b
}

// keptHeader returns the path of the list cfg's console kept, its header
// line's fields and the rest of the file, and fails the test unless the
// header names rowMaker.
func keptHeader(t *testing.T, cfg Config) (path string, fields []string, rest []byte) {
	t.Helper()
	path, b := rowsFile(t, cfg)
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	fields = strings.Fields(string(line))
	if len(fields) != 5 || fields[2] != rowMaker() {
		t.Fatalf("header %q does not name rowMaker %q", line, rowMaker())
	}
	return path, fields, rest
}

// rewriteKept writes the list at path again with the header fields h
// and the rest of the file as it was.
func rewriteKept(t *testing.T, path string, h []string, rest []byte) {
	t.Helper()
	if err := os.WriteFile(path, append([]byte(strings.Join(h, " ")+"\n"), rest...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// keptQuarantine opens an App on a new Maildir of the demo's and
// generated mail, offline, with a cache of its own; it returns the
// Maildir's path and the App's configuration.
func keptQuarantine(t *testing.T, opts Options) (*App, string, Config) {
	t.Helper()
	dir := snapshotQuarantine(t)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	a, err := Open(context.Background(), dir, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, dir, cfg
}

// sameAsFresh checks what one scan handed out against want, what a scan
// without cache emits: each row is the row of its message, and each
// message read back through Message, or handed out whole, is that
// message. It returns how many messages came as rows.
func sameAsFresh(t *testing.T, what string, a *App, s rowScan, want []model.Message) int {
	t.Helper()
	if len(s.rows)+len(s.msgs) != len(want) {
		t.Fatalf("%s: %d rows and %d messages, want %d", what, len(s.rows), len(s.msgs), len(want))
	}
	// A fresh scan emits a ZIP mail once its window has passed; a replay
	// lists in the listing's order.
	rows := map[model.MessageID]*model.Row{}
	for _, r := range s.rows {
		rows[r.ID()] = r
	}
	msgs := map[model.MessageID]model.Message{}
	for i, m := range s.msgs {
		// A message comes encoded as the cache encodes it, for the
		// console's spill, with its row.
		if err := m.Materialize(); err != nil {
			t.Fatalf("%s: message %s: %v", what, m.ID, err)
		}
		msgs[m.ID] = m
		rows[m.ID] = s.msgRows[i]
	}
	for i := range want {
		id := want[i].ID
		if m, ok := msgs[id]; ok {
			if !sameJSON(t, m, want[i]) {
				t.Fatalf("%s: message %s:\ngot  %s\nwant %s", what, id, jsonOf(t, m), jsonOf(t, want[i]))
			}
		}
		got := rows[id]
		if got == nil {
			t.Fatalf("%s: nothing of %s", what, id)
		}
		if c := got.Content(); !c.IsZero() {
			enc, err := store.Encode(want[i])
			if err != nil || c != model.SumContent(enc.Message().Encoded.JSON) {
				t.Fatalf("%s: the row of %s is marked with the sum of another message (%v)", what, id, err)
			}
		}
		if w := model.NewRowOf(&want[i], got.Content()); !reflect.DeepEqual(*got, w.WithException(nil)) {
			t.Fatalf("%s: the row of %s is not the row of the message a fresh scan emits:\ngot  %+v\nwant %+v", what, id, *got, w.WithException(nil))
		}
		if _, ok := msgs[id]; ok {
			continue // read back from the console's spill, not the App
		}
		read, err := a.Message(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %s: %v", what, id, err)
		}
		if !sameJSON(t, read, want[i]) {
			t.Fatalf("%s: message %s read back:\ngot  %s\nwant %s", what, id, jsonOf(t, read), jsonOf(t, want[i]))
		}
	}
	return len(s.rows)
}

// TestRowSnapshotIsWhatTheScanEmits: once an unchanged Maildir (PPAP
// pairs among its mail, and mail analysed on every scan) has its list
// kept, a console's scan hands out rows instead of messages, each the
// row of what a scan without any cache emits for that message, and every
// message read back through Message is that message. A message added
// makes the scan hand out messages; a damaged block ends the rows, and
// the rest come as messages; rows that name other messages are not
// handed out; after each, the list is kept again.
func TestRowSnapshotIsWhatTheScanEmits(t *testing.T) {
	defer func(n, c int) { rowsPerBlock, chunkLen = n, c }(rowsPerBlock, chunkLen)
	rowsPerBlock = 50 // several blocks
	chunkLen = 16     // the listing let go as the blocks go out
	var warned []string
	a, dir, cfg := keptQuarantine(t, Options{Warn: func(s string) { warned = append(warned, s) }})
	warnedOf := func(what string) {
		t.Helper()
		if len(warned) != 1 || !strings.Contains(warned[0], "not used") {
			t.Fatalf("%s: warnings %q", what, warned)
		}
		warned = nil
	}
	// kept scans until the list is handed out whole.
	kept := func(what string) []model.Message {
		t.Helper()
		want := freshScan(t, dir, cfg)
		s := untilRows(t, a)
		if n := sameAsFresh(t, what, a, s, want); n != len(want) {
			t.Fatalf("%s: %d of %d as rows", what, n, len(want))
		}
		paired := 0
		for i := range want {
			if want[i].HasPPAPPair() {
				paired++
			}
		}
		if paired == 0 {
			t.Fatalf("%s: no paired message: the test checks no pairing outcome", what)
		}
		if len(a.lastRowReplay().fresh) == 0 {
			t.Fatalf("%s: every message has a cached result: the test checks none analysed anew", what)
		}
		if _, err := a.Message(context.Background(), "no-such-message"); !errors.Is(err, ErrNotSpilled) {
			t.Fatalf("%s: a message not listed: %v", what, err)
		}
		return want
	}
	kept("kept")

	// A mail added (a copy of one, delivered later): the listing changed,
	// so the kept list is not this scan's.
	deliverCopy(t, dir, "1000000000.M1P1.copy")
	if s := scanRows(t, a); len(s.rows) > 0 {
		t.Fatal("a scan of a changed Maildir handed out the old list")
	}
	if _, err := a.Message(context.Background(), "1000000000.M1P1.copy"); !errors.Is(err, ErrNotSpilled) {
		t.Fatalf("after a scan that handed out messages, Message answers: %v", err)
	}
	want := kept("a mail added")

	// A damaged block: the blocks before it are handed out as rows, the
	// rest as messages, and the list is kept again.
	path := damageBlock(t, cfg, 3)
	s := scanRows(t, a)
	if n := sameAsFresh(t, "damaged", a, s, want); n == 0 || n == len(want) {
		t.Fatalf("damaged: %d of %d as rows", n, len(want))
	}
	warnedOf("damaged")
	kept("kept again")

	// A list in another order, written whole with good checksums: its
	// first block names other messages, so nothing of it is handed out.
	_, b := rowsFile(t, cfg)
	var magic, build, digest string
	var version, count int
	if _, err := fmt.Sscan(string(b), &magic, &version, &build, &digest, &count); err != nil {
		t.Fatal(err)
	}
	rf, err := openRows(path, digest, count)
	if err != nil {
		t.Fatal(err)
	}
	var list []*model.Row
	for len(list) < count {
		rows, err := rf.next()
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			list = append(list, &rows[i])
		}
	}
	rf.Close()
	list[0], list[1] = list[1], list[0]
	if err := saveRows(path, digest, list); err != nil {
		t.Fatal(err)
	}
	if s := scanRows(t, a); len(s.rows) > 0 {
		t.Fatal("a list in another order was handed out")
	}
	if a.lastRowReplay() != nil {
		t.Fatal("a row replay that handed nothing out is still read from")
	}
	warnedOf("written wrong")
	kept("kept once more")

	// A list in its order, written whole with good checksums in blocks
	// of another size, smaller or larger: the replay finds a row at
	// its position by the block size, so such a block is refused, and
	// nothing of the list is handed out (a larger one made App.Message
	// panic, found in review).
	list[0], list[1] = list[1], list[0]
	for _, per := range []int{30, 100_000} {
		rowsPerBlock = per
		err = saveRows(path, digest, list)
		rowsPerBlock = 50
		if err != nil {
			t.Fatal(err)
		}
		if s := scanRows(t, a); len(s.rows) > 0 || a.lastRowReplay() != nil {
			t.Fatalf("a list in blocks of %d was handed out, or is read from", per)
		}
		warnedOf(fmt.Sprintf("blocks of %d", per))
		kept(fmt.Sprintf("kept after the blocks of %d", per))
	}
}

// TestRowReplayFailsClosed: a message whose result is no longer where
// the scan snapshot's ref says (the cache was compacted since) is not
// read back, and neither is another run's pairing outcome written under
// the same key with other pairing settings (not in the cache's
// fingerprint: the same cache file), which may need fewer exception
// kinds than the listed row: here one with the archive opened and
// nothing risky found, as a run without the virus scanner leaves it,
// which an encrypted-archive exception alone would let out.
func TestRowReplayFailsClosed(t *testing.T) {
	a, _, _ := keptQuarantine(t, Options{})
	s := untilRows(t, a)
	rr := a.lastRowReplay()
	var row *model.Row
	for _, r := range s.rows {
		if slot, _, ok, _ := rr.slot(r.ID()); ok && slot.changed && r.Has(model.RowNeedsRiskyType) && r.Has(model.RowEncrypted) {
			row = r
			break
		}
	}
	if row == nil {
		t.Fatal("no paired archive with risky contents: the test checks nothing")
	}
	plain := s.rows[0]
	if rr.slots == nil {
		t.Fatal("the slots were not moved to their file")
	}
	if slot, _, _, _ := rr.slot(plain.ID()); slot.changed {
		t.Fatal("the first message was changed by pairing")
	}
	before, err := a.Message(context.Background(), plain.ID())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Message(context.Background(), row.ID()); err != nil {
		t.Fatal(err)
	}

	// Another run's outcome under the same key, then a compaction.
	c := a.openCache()
	m, ok := c.Get(changedKey(row.ID()))
	if !ok {
		t.Fatal("no pairing outcome cached")
	}
	m.Verdict.Attachment = model.AttachmentEncrypted
	for i := range m.Attachments {
		m.Attachments[i].Risks = nil
		if arc := m.Attachments[i].Archive; arc != nil {
			cp := *arc
			for j := range cp.Entries {
				cp.Entries[j].Risks = nil
			}
			m.Attachments[i].Archive = &cp
		}
	}
	if err := c.Put(changedKey(row.ID()), m); err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		_ = c.Put("junk", model.Message{ID: model.MessageID(fmt.Sprint(i))})
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if !c.Stats().Compacted {
		t.Fatal("the cache was not compacted: the test checks nothing")
	}
	if got, err := a.Message(context.Background(), row.ID()); !errors.Is(err, errListChanged) {
		t.Errorf("%s after another run and a compaction: %v (needs %v; the row %v)", row.ID(), err, model.RequiredKinds(&got), row.RequiredKinds())
	}
	// A record compaction left where it was (the same key and time at
	// the same place) is the same record.
	if got, err := a.Message(context.Background(), plain.ID()); !errors.Is(err, errListChanged) && (err != nil || !sameJSON(t, got, before)) {
		t.Errorf("%s after a compaction: %v", plain.ID(), err)
	}

	// A ref that names other bytes fails closed too, and a slot that
	// cannot be read.
	at, _ := rr.index.find(rr, plain.ID())
	sum, ref, err := rr.slots.at(int(at))
	if err != nil {
		t.Fatal(err)
	}
	ref.Off += 7
	var b [slotLen]byte
	putSlot(b[:], sum, ref)
	if _, err := rr.slots.f.WriteAt(b[:], int64(at)*slotLen); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Message(context.Background(), plain.ID()); !errors.Is(err, errListChanged) {
		t.Fatalf("a ref to other bytes: %v", err)
	}
	if err := rr.slots.f.Truncate(int64(at) * slotLen); err != nil {
		t.Fatal(err)
	}
	if m, err := a.Message(context.Background(), plain.ID()); err == nil || errors.Is(err, ErrNotSpilled) {
		t.Fatalf("a slot cut off: %v, %v", m.ID, err)
	}
}

// TestReadOnlyScanKeepsNoList: a scan over a cache another process
// writes (read-only here) records no scan snapshot, so it has no list to
// keep, and the writer's row snapshot stays.
func TestReadOnlyScanKeepsNoList(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	path, before := rowsFile(t, cfg)
	other := a.openCache() // another mxaudit, writing the cache
	defer other.Close()
	if other.Stats().ReadOnly {
		t.Fatal("the other process does not hold the cache")
	}
	// A changed listing, by a copy of a mail pairing leaves alone: this
	// scan pairs through the stream with every pairing remembered, and
	// would record a snapshot.
	names, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
	var raw []byte
	for _, n := range names {
		id, _, _ := strings.Cut(filepath.Base(n), ":")
		if m := scan.Analyse(context.Background(), a.src, a.analyzer, mailsrc.Entry{ID: model.MessageID(id)}); ppap.Inert(&m) {
			var err error
			if raw, err = os.ReadFile(n); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if raw == nil {
		t.Fatal("no mail that pairing leaves alone")
	}
	if err := os.WriteFile(filepath.Join(dir, "new", "1999999999.M1P1.copy"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		keep, err := a.ScanRows(context.Background(), func(model.Message, *model.Row) error { return nil },
			func(*model.Row) error { return nil }, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if keep != nil {
			t.Fatal("a scan over a read-only cache has a list to keep")
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("the writer's row snapshot was replaced")
	}
}

// TestRowReplayFindsRowsAsTheyGoOut: a message is found once its row is
// handed out, whether the index that finds it was made before its block
// went out (a view opened during the replay) or after, and by its slot:
// its own sum and ref, or pairing's outcome for a changed one, found by
// ID while the rows go out and by position once they all have.
func TestRowReplayFindsRowsAsTheyGoOut(t *testing.T) {
	const n = 7
	rows := make([]model.Row, n)
	rr := &rowReplay{sums: make([][sha256.Size]byte, n), refs: make([]store.RecordRef, n),
		per: 3, n: n, changed: map[model.MessageID]replacement{"m4": {ref: store.RecordRef{Off: 99}}, "m2": {fresh: true}}}
	for i := range rows {
		rows[i] = model.NewRow(&model.Message{ID: model.MessageID(fmt.Sprintf("m%d", i))})
		rr.sums[i][0], rr.refs[i].Off = byte(i), int64(10*i)
	}
	check := func(i int, want bool) {
		t.Helper()
		id := model.MessageID(fmt.Sprintf("m%d", i))
		s, r, ok, err := rr.slot(id)
		if err != nil {
			t.Fatal(err)
		}
		if ok != want {
			t.Fatalf("%s found %v, want %v", id, ok, want)
		}
		if !ok {
			return
		}
		wantRef, changed := int64(10*i), false
		if id == "m4" {
			wantRef, changed = 99, true
		}
		if r != &rows[i] || s.sum[0] != byte(i) || s.ref.Off != wantRef || s.changed != changed {
			t.Errorf("%s: slot %+v, row %p (want %p)", id, s, r, &rows[i])
		}
	}
	handOut := func(rows []model.Row) {
		t.Helper()
		if err := rr.handOut(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := rr.handOut(rows[:4]); err == nil {
		t.Fatal("a block longer than the others was handed out")
	}
	handOut(rows[:3])
	check(1, true) // makes the index
	check(4, false)
	handOut(rows[3:6])
	handOut(rows[6:]) // the last block, shorter
	if err := rr.handOut(rows[6:]); err == nil {
		t.Fatal("a block after a shorter one was handed out")
	}
	for i := range n {
		check(i, true)
	}
	check(n, false)
	// Once every row is out, the changed refs are kept by position.
	rr.placeChanged()
	if rr.changed != nil || len(rr.changedAt) != 1 {
		t.Fatalf("changed by ID %v, by position %v", rr.changed, rr.changedAt)
	}
	for i := range n {
		check(i, true)
	}
	check(n, false)
	// And once the slots are in their file, from there; a second spill
	// changes nothing.
	dir := t.TempDir()
	rr.spillSlots(dir)
	if rr.slots == nil || rr.sums != nil || rr.refs != nil {
		t.Fatal("the slots were not moved to their file")
	}
	rr.spillSlots(dir)
	for i := range n {
		check(i, true)
	}
	check(n, false)
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the slot file has a name: %v", left)
	}
	// Once the App lets the replay go, a read fails rather than find.
	rr.close()
	if _, _, ok, err := rr.slot("m1"); err == nil {
		t.Errorf("a slot read after close: found %v, no error", ok)
	}
	// A replay let go before its scan spilled makes no file.
	late := &rowReplay{sums: make([][sha256.Size]byte, 1), refs: make([]store.RecordRef, 1), per: 1, n: 1, out: 1}
	late.close()
	late.spillSlots(dir)
	if late.slots != nil {
		t.Error("a slot file was made for a replay let go")
	}
}

// TestClosedAppTakesNoReplay: a scan still running when the App closes
// installs no row replay (whose slot file nothing would close).
func TestClosedAppTakesNoReplay(t *testing.T) {
	dir := t.TempDir()
	if err := demo.WriteMaildir(dir, nil); err != nil { // an empty Maildir
		t.Fatal(err)
	}
	md, err := mailsrc.NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := &App{src: md}
	gen := a.newRowsGen()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if a.setRowReplay(gen, &rowReplay{}) {
		t.Error("a replay was installed after the App closed")
	}
}

// TestRowReplaySlotsSpilledBeforeTheRows: the slots move to their file
// while the rows go out (replayRows writes them beside the hand-out), so
// a row handed out after the move is found by its slot from the file;
// once the replay is let go, a read fails and the slots are gone from
// the heap too. (A replay that hands nothing out is let go:
// TestRowSnapshotIsWhatTheScanEmits.)
func TestRowReplaySlotsSpilledBeforeTheRows(t *testing.T) {
	const n = 4
	rows := make([]model.Row, n)
	rr := &rowReplay{sums: make([][sha256.Size]byte, n), refs: make([]store.RecordRef, n), per: 2, n: n,
		changed: map[model.MessageID]replacement{}}
	for i := range rows {
		rows[i] = model.NewRow(&model.Message{ID: model.MessageID(fmt.Sprintf("m%d", i))})
		rr.sums[i][0], rr.refs[i].Off = byte(i), int64(10*i)
	}
	rr.spillSlots(t.TempDir())
	if rr.slots == nil || rr.sums != nil || rr.refs != nil {
		t.Fatal("the slots were not moved to their file before the rows went out")
	}
	for from := 0; from < n; from += 2 {
		if err := rr.handOut(rows[from : from+2]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		s, r, ok, err := rr.slot(model.MessageID(fmt.Sprintf("m%d", i)))
		if err != nil || !ok || r != &rows[i] || s.sum[0] != byte(i) || s.ref.Off != int64(10*i) {
			t.Errorf("m%d: slot %+v, found %v, err %v", i, s, ok, err)
		}
	}
	rr.close()
	if _, _, _, err := rr.slot("m1"); !errors.Is(err, errReplayClosed) {
		t.Errorf("a slot read after close: %v", err)
	}
	// Let go before the slots reached their file, with a row out: they
	// leave the heap, and a read of that row fails.
	early := &rowReplay{sums: make([][sha256.Size]byte, 1), refs: make([]store.RecordRef, 1), per: 1, n: 1}
	if err := early.handOut(rows[:1]); err != nil {
		t.Fatal(err)
	}
	early.close()
	if early.sums != nil || early.refs != nil {
		t.Error("a replay let go keeps its slots in the heap")
	}
	if _, _, _, err := early.slot(rows[0].ID()); !errors.Is(err, errReplayClosed) {
		t.Errorf("a slot read after close, before the spill: %v", err)
	}
}

// TestReplayRowsGivesTheDigestsSlotsAway: once a row replay takes the
// listing digest's sums and refs, the digest no longer holds them (the
// heap would keep them beside the rows while their file is written),
// nor its IDs, which listingIDs then takes from the entries.
func TestReplayRowsGivesTheDigestsSlotsAway(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "src", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := newKeptDigest("salt", 2, c)
	entries := newHeldEntries(2)
	for _, id := range []model.MessageID{"a", "b"} {
		e := mailsrc.Entry{ID: id, Stamp: "s-" + string(id)}
		d.add(e)
		entries.add(e)
	}
	plan := &replayPlan{entries: entries, d: d, repl: map[model.MessageID]replacement{}}
	if got := listingIDs(d, entries).rest; !slices.Equal(got, []model.MessageID{"a", "b"}) || &got[0] != &d.ids[0] {
		t.Fatalf("the listing's IDs before the replay: %v, not the digest's own", got)
	}
	rr, _ := newRowReplay(c, plan)
	if len(rr.sums) != 2 || len(rr.refs) != 2 || d.keys != nil || d.refs != nil || d.ids != nil {
		t.Fatalf("replay holds %d sums, %d refs; the digest %d, %d, %d IDs", len(rr.sums), len(rr.refs), len(d.keys), len(d.refs), len(d.ids))
	}
	// A list kept again after a row replay that handed no row out names
	// the listing's IDs all the same.
	if got := listingIDs(d, entries).rest; !slices.Equal(got, []model.MessageID{"a", "b"}) {
		t.Fatalf("the listing's IDs after the replay: %v", got)
	}
}
