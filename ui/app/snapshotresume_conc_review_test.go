package app

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// resumedSetup is a kept quarantine whose ZIP mail's password mail came
// after the snapshot (listed last), scanned once from the snapshot's
// tail: it returns the quarantine (heldBack, the password mail
// delivered) and the listing places of the messages the tail held
// (rowReplay.resumed), ascending.
func resumedSetup(t *testing.T) (*heldBack, []int) {
	t.Helper()
	h := newHeldBack(t, nil)
	a := h.a
	h.passwordComes(t)
	s := scanRows(t, a)
	rr := a.lastRowReplay()
	if len(s.rows) == 0 || rr == nil || len(rr.resumed) == 0 {
		t.Fatal("the scan after the password mail came was not paired from the tail")
	}
	var held []int
	for i, e := range listOf(t, a) {
		if _, ok := rr.resumed[e.ID]; ok {
			held = append(held, i)
		}
	}
	return h, held
}

// TestResumedListKeptAgainAfterADamagedBlock: the row replay of a scan
// paired from the tail meets a damaged block; the rest comes as
// messages and the list is kept again. That list must be the
// snapshot's: once the password mail is gone again, the scan hands it
// out and it is what a scan without cache gives.
func TestResumedListKeptAgainAfterADamagedBlock(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	for _, where := range []string{"before the held", "at the last held", "the ZIP mail a row", "the ZIP mail a message"} {
		t.Run(where, func(t *testing.T) {
			// Blocks of 2: the held messages fall on both sides of the
			// damaged block.
			rowsPerBlock = 2
			h, held := resumedSetup(t)
			a, dir, cfg, late := h.a, h.dir, h.cfg, h.late
			t.Logf("held at %v of %d", held, len(listOf(t, a)))
			k := held[0]/rowsPerBlock - 1
			zipAt := slices.IndexFunc(listOf(t, a), func(e mailsrc.Entry) bool { return e.ID == h.zip })
			t.Logf("the ZIP mail at %d", zipAt)
			switch where {
			case "at the last held":
				k = held[len(held)-1] / rowsPerBlock
			case "the ZIP mail a row":
				k = zipAt/rowsPerBlock + 1
			case "the ZIP mail a message":
				k = zipAt / rowsPerBlock
			}
			if k < 1 {
				k = 1
			}
			damageBlock(t, cfg, k)
			want := freshScan(t, dir, cfg)
			s := scanRows(t, a)
			if len(s.rows) == 0 || len(s.msgs) == 0 || !a.ScanReplayed() {
				t.Fatalf("%d rows, %d messages: the damaged block did not make a rest", len(s.rows), len(s.msgs))
			}
			sameAsFresh(t, "the rest after a damaged block", a, s, want)
			if err := os.Remove(late); err != nil {
				t.Fatal(err)
			}
			s = scanRows(t, a)
			if len(s.rows) == 0 {
				t.Fatal("no list kept again after the damaged block")
			}
			sameAsFresh(t, "the password mail gone again", a, s, freshScan(t, dir, cfg))
		})
	}
}

// TestResumedMessageDuringRescan: Message reads the messages the tail
// held (rowReplay.resumed) on other goroutines while scans follow, each
// replacing the row replay (and, the password mail gone, keeping a list
// of its own): run with -race. Each read gives the message a scan
// without cache emits, or fails as a let-go replay does.
func TestResumedMessageDuringRescan(t *testing.T) {
	h, _ := resumedSetup(t)
	a, dir, cfg, late := h.a, h.dir, h.cfg, h.late
	// What a scan without cache gives, the password mail there and gone.
	with, without := map[model.MessageID]model.Message{}, map[model.MessageID]model.Message{}
	for _, m := range freshScan(t, dir, cfg) {
		with[m.ID] = m
	}
	aside := filepath.Join(t.TempDir(), "password")
	if err := os.Rename(late, aside); err != nil {
		t.Fatal(err)
	}
	for _, m := range freshScan(t, dir, cfg) {
		without[m.ID] = m
	}
	if err := os.Rename(aside, late); err != nil {
		t.Fatal(err)
	}
	var ids []model.MessageID
	for id := range a.lastRowReplay().resumed {
		ids = append(ids, id)
	}
	stop := readBackMeanwhile(t, a, ids, 3, with, without)
	for range 2 {
		scanRows(t, a)
	}
	if err := os.Remove(late); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		scanRows(t, a)
	}
	stop()
}

// readBackMeanwhile reads ids back through a.Message on n goroutines,
// over and over, until the function it returns is called, which fails
// the test unless some read succeeded and every one gave one or the
// other of what a scan without cache emits for it (one and other). A
// read that fails is skipped: the last scan let its list go, or did not
// list the message.
func readBackMeanwhile(t *testing.T, a *App, ids []model.MessageID, n int, one, other map[model.MessageID]model.Message) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	var reads atomic.Int32
	for range n {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				for _, id := range ids {
					m, err := a.Message(context.Background(), id)
					if err != nil {
						continue
					}
					reads.Add(1)
					if !sameJSON(t, m, one[id]) && !sameJSON(t, m, other[id]) {
						mu.Lock()
						bad = append(bad, string(id))
						mu.Unlock()
					}
				}
			}
		})
	}
	return func() {
		t.Helper()
		close(done)
		wg.Wait()
		if reads.Load() == 0 {
			t.Fatal("no read back succeeded: the test checks nothing")
		}
		t.Logf("%d reads back", reads.Load())
		if len(bad) > 0 {
			t.Fatalf("read back otherwise than a scan without cache gives: %v", bad)
		}
	}
}

// TestSnapshotRowsCostARowEach: the snapshot's rows kept for the list
// (replayPlan.snapRows) stay until the console keeps its list; each
// must cost about a row, not a row builder's slab and text chunk
// (256 rows and 64 KiB), which a builder made for each one allocates
// and the row then holds.
func TestSnapshotRowsCostARowEach(t *testing.T) {
	msgs := freshScan(t, snapshotQuarantine(t), Config{Offline: true})
	const n = 200
	var plan replayPlan
	var before, after runtime.MemStats
	for range 3 {
		runtime.GC() // the scan's garbage, finalizers included, gone first
	}
	runtime.ReadMemStats(&before)
	for i := range n {
		plan.keepSnapshotRow(msgs[i%len(msgs)])
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(plan.snapRows)
	runtime.KeepAlive(msgs)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d rows kept: %d KiB held", len(plan.snapRows), held>>10)
	if per := held / int64(len(plan.snapRows)); per > 8<<10 {
		t.Fatalf("each row of the snapshot kept holds %d KiB", per>>10)
	}
}

// cancelOnOpenOld cancels a scan as a message other than the new one
// is opened: the resumed stream's pairing reading its ZIP mail or a
// candidate back.
type cancelOnOpenOld struct {
	mailsrc.Source
	news   model.MessageID
	cancel func()
	opened *atomic.Int32
}

func (s cancelOnOpenOld) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if id != s.news {
		s.opened.Add(1)
		s.cancel()
	}
	return s.Source.Open(ctx, id)
}

// TestResumeCancelledWhilePairing: cancelled while the stream resumed
// from the tail pairs: the scan fails with the cancel, hands out
// nothing (no outcome of the cut pairing), nothing after it returns,
// and the next scan is a fresh scan's.
func TestResumeCancelledWhilePairing(t *testing.T) {
	h := newHeldBack(t, nil)
	a, dir, cfg := h.a, h.dir, h.cfg
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)
	scanRows(t, a) // the new mail analysed and cached: the next scan opens only what pairing reads
	src := a.src
	ctx, cancel := context.WithCancel(context.Background())
	var opened atomic.Int32
	a.src = cancelOnOpenOld{src, "1999999999.M1P1.password", cancel, &opened}
	var returned atomic.Bool
	handed, lateCalls := 0, 0
	_, err := a.ScanRows(ctx, func(model.Message, *model.Row) error {
		handed++
		if returned.Load() {
			lateCalls++
		}
		return nil
	}, func(*model.Row) error {
		handed++
		if returned.Load() {
			lateCalls++
		}
		return nil
	}, nil, nil)
	returned.Store(true)
	a.src = src
	if opened.Load() == 0 {
		t.Fatal("nothing of the listing was opened: the test cancels no pairing")
	}
	if !errors.Is(err, context.Canceled) || handed != 0 || lateCalls != 0 {
		t.Fatalf("cancelled while the resumed stream paired: %v, %d handed out, %d late", err, handed, lateCalls)
	}
	s := scanRows(t, a)
	if len(s.rows) == 0 || !a.ScanReplayed() {
		t.Fatal("the scan after the cancel did not hand out the kept list")
	}
	sameAsFresh(t, "after a cancel in the resumed pairing", a, s, want)
}

// TestResumedMessageReadBackIsACopy: each Message of a held message
// gives a copy of its own, as a read of the cache does: a caller that
// changes what one read gave (an archive's fields, through its pointer)
// changes no later read.
func TestResumedMessageReadBackIsACopy(t *testing.T) {
	h, _ := resumedSetup(t)
	a, dir, cfg := h.a, h.dir, h.cfg
	var want model.Message
	for _, m := range freshScan(t, dir, cfg) {
		if m.ID == h.zip {
			want = m
		}
	}
	first, err := a.Message(context.Background(), h.zip)
	if err != nil {
		t.Fatal(err)
	}
	changed := false
	for i := range first.Attachments {
		if arc := first.Attachments[i].Archive; arc != nil {
			arc.PasswordAttempts += 1000
			changed = true
		}
	}
	if len(first.Verdict.Reasons) > 0 {
		first.Verdict.Reasons[0] = "changed by a caller"
		changed = true
	}
	if !changed {
		t.Fatal("nothing to change in the ZIP mail read back: the test checks nothing")
	}
	again, err := a.Message(context.Background(), h.zip)
	if err != nil {
		t.Fatalf("read again after a caller changed its copy: %v", err)
	}
	if !sameJSON(t, again, want) {
		t.Fatalf("a read changed by what a caller did to an earlier one:\ngot  %s\nwant %s", jsonOf(t, again), jsonOf(t, want))
	}
}
