package app

// The tests of this file came from a concurrency and data-safety review
// of the scan's fingerprint for the watch (listSum).

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

func listSumNow(a *App) *mailsrc.IDSetSum {
	a.rowsMu.Lock()
	defer a.rowsMu.Unlock()
	return a.listSum
}

// maildirSum is the fingerprint of a's Maildir as the watch lists it.
func maildirSum(t *testing.T, a *App) mailsrc.IDSetSum {
	t.Helper()
	l, ok := a.Source().(interface {
		ListIDs(context.Context, func(model.MessageID) error) error
	})
	if !ok {
		t.Fatal("not a Maildir")
	}
	var s mailsrc.IDSetSum
	if err := l.ListIDs(t.Context(), func(id model.MessageID) error { s.Add(id); return nil }); err != nil {
		t.Fatal(err)
	}
	return s
}

// wantListSum: the scan kept the fingerprint of exactly what it handed
// out, each message once, and that is the Maildir's listing.
func wantListSum(t *testing.T, a *App, what string, handedOut []model.MessageID) {
	t.Helper()
	seen := map[model.MessageID]bool{}
	var want mailsrc.IDSetSum
	for _, id := range handedOut {
		if seen[id] {
			t.Fatalf("%s: %s handed out twice", what, id)
		}
		seen[id] = true
		want.Add(id)
	}
	got := listSumNow(a)
	switch {
	case want.Len() == 0:
		t.Fatalf("%s: nothing handed out", what)
	case got == nil:
		t.Fatalf("%s: no fingerprint kept", what)
	case *got != want:
		t.Fatalf("%s: fingerprint of %d IDs, want that of the %d handed out", what, got.Len(), want.Len())
	case *got != maildirSum(t, a):
		t.Fatalf("%s: fingerprint is not the Maildir listing's", what)
	}
}

func idsOfScan(s rowScan) []model.MessageID {
	var ids []model.MessageID
	for _, r := range s.rows {
		ids = append(ids, r.ID())
	}
	for _, m := range s.msgs {
		ids = append(ids, m.ID)
	}
	return ids
}

func scanIDsWith(t *testing.T, scanFn func(context.Context, func(model.Message) error) error) []model.MessageID {
	t.Helper()
	var ids []model.MessageID
	if err := scanFn(t.Context(), func(m model.Message) error { ids = append(ids, m.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestListSumOnEveryPath: every path of scanInto returning nil keeps the
// fingerprint of what it handed out (run under -race: the output stage
// emits on a goroutine of its own).
func TestListSumOnEveryPath(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 50
	a, dir, cfg := keptQuarantine(t, Options{})
	plain := func(ctx context.Context, emit func(model.Message) error) error { return a.Scan(ctx, emit, nil) }
	encoded := func(ctx context.Context, emit func(model.Message) error) error { return a.ScanEncoded(ctx, emit, nil) }

	wantListSum(t, a, "stream, output stage", scanIDsWith(t, encoded))
	wantListSum(t, a, "replayed as messages", scanIDsWith(t, plain))
	if !a.ScanReplayed() {
		t.Fatal("the second scan did not replay")
	}
	wantListSum(t, a, "replayed, encoded", scanIDsWith(t, encoded))
	s := untilRows(t, a)
	if len(s.rows) <= rowsPerBlock || len(s.msgs) != 0 {
		t.Fatalf("%d rows, %d messages: want several blocks of rows alone", len(s.rows), len(s.msgs))
	}
	wantListSum(t, a, "row replay", idsOfScan(s))

	deliverNews(t, dir, "1999999990.M1P1.news")
	if s = scanRows(t, a); len(s.rows) == 0 || len(s.msgs) != 1 {
		t.Fatalf("with new mail: %d rows, %d messages", len(s.rows), len(s.msgs))
	}
	wantListSum(t, a, "row replay, new mail", idsOfScan(s))

	damageBlock(t, cfg, 2)
	if s = scanRows(t, a); len(s.rows) != 2*rowsPerBlock || len(s.msgs) == 0 {
		t.Fatalf("damaged: %d rows, %d messages", len(s.rows), len(s.msgs))
	}
	wantListSum(t, a, "row replay, rest as messages (with the new mail)", idsOfScan(s))
	untilRows(t, a)
	damageBlock(t, cfg, 1)
	wantListSum(t, a, "row replay, rest as messages again", idsOfScan(scanRows(t, a)))

	b, _, _ := keptQuarantine(t, Options{NoSnapshot: true})
	scanRows(t, b) // keeps a list for the lister to reuse
	if s = scanRows(t, b); len(s.rows) != 0 {
		t.Fatal("NoSnapshot handed out rows")
	}
	wantListSum(t, b, "stream under ScanRows", idsOfScan(s))

	c, _, _ := keptQuarantine(t, Options{})
	c.cfg.NoPPAP = true
	wantListSum(t, c, "no pairing (scan.Run)", scanIDsWith(t, func(ctx context.Context, emit func(model.Message) error) error { return c.Scan(ctx, emit, nil) }))
	wantListSum(t, c, "no pairing, rows", idsOfScan(scanRows(t, c)))
}

// TestListSumNotKeptByAFailedScan: a failed or cancelled scan keeps no
// fingerprint, nor the last scan's.
func TestListSumNotKeptByAFailedScan(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 50
	a, _, _ := keptQuarantine(t, Options{})
	errStop := errors.New("stop")
	failAt := func(n int) func(model.Message) error {
		i := 0
		return func(model.Message) error {
			if i++; i == n {
				return errStop
			}
			return nil
		}
	}
	fresh := func(what string) {
		t.Helper()
		scanIDsWith(t, func(ctx context.Context, emit func(model.Message) error) error { return a.Scan(ctx, emit, nil) })
		if listSumNow(a) == nil {
			t.Fatalf("%s: the good scan before kept nothing", what)
		}
	}
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: the scan did not fail", what)
		}
		if listSumNow(a) != nil {
			t.Fatalf("%s: a failed scan left a fingerprint", what)
		}
	}
	fresh("stream")
	check("stream, emit fails", a.ScanEncoded(t.Context(), failAt(5), nil))
	fresh("replay")
	check("replay, emit fails", a.Scan(t.Context(), failAt(5), nil))
	untilRows(t, a)
	ctx, cancel := context.WithCancel(t.Context())
	rows := 0
	_, err := a.ScanRows(ctx, func(model.Message, *model.Row) error { return nil }, func(*model.Row) error {
		if rows++; rows == 10 {
			cancel()
		}
		return nil
	}, nil, nil)
	check("row replay, cancelled", err)
	cancel()
	untilRows(t, a)
	_, err = a.ScanRows(t.Context(), func(model.Message, *model.Row) error { return nil }, func(*model.Row) error {
		if rows++; rows > 70 {
			return errStop
		}
		return nil
	}, nil, nil)
	check("row replay, emitRow fails", err)
}

// TestListSumWhileWatchingAndRescanning: watches start and run while
// scans overlap and the App closes (for the race detector).
func TestListSumWhileWatchingAndRescanning(t *testing.T) {
	a := openDemoMaildir(t, t.TempDir(), 5*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var last []model.MessageID
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				var ids []model.MessageID
				if err := a.Scan(ctx, func(m model.Message) error { ids = append(ids, m.ID); return nil }, nil); err == nil {
					mu.Lock()
					last = ids
					mu.Unlock()
				}
			}
		})
	}
	for i := range 8 {
		wg.Go(func() {
			wctx, stop := context.WithTimeout(ctx, time.Duration(50+20*i)*time.Millisecond)
			defer stop()
			known := func(yield func(model.MessageID) bool) {
				mu.Lock()
				ids := last
				mu.Unlock()
				for _, id := range ids {
					if !yield(id) {
						return
					}
				}
			}
			_ = a.Watch(wctx, known, func(mailsrc.Change) {})
		})
	}
	time.Sleep(700 * time.Millisecond)
	a.Close()
	cancel()
	wg.Wait()
}

// TestWatchReportsWhatTheCallerNoLongerLists: on a settled Maildir, a
// message is deleted and restored (not listed again by the caller)
// before the watch's first poll: the watch reports it as added.
func TestWatchReportsWhatTheCallerNoLongerLists(t *testing.T) {
	a := openDemoMaildir(t, t.TempDir(), 50*time.Millisecond)
	time.Sleep(3100 * time.Millisecond) // mailsrc's folderSettle
	listed := scanIDsWith(t, func(ctx context.Context, emit func(model.Message) error) error { return a.Scan(ctx, emit, nil) })
	if a.listStamp == "" || listSumNow(a) == nil {
		t.Fatal("no stamp or fingerprint kept")
	}
	gone := listed[0]
	var path string
	for _, sub := range []string{"new", "cur"} {
		if m, _ := filepath.Glob(filepath.Join(a.Spec(), sub, string(gone)+"*")); len(m) == 1 {
			path = m[0]
		}
	}
	if path == "" {
		t.Fatalf("no file for %s", gone)
	}
	trash := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.Rename(path, trash); err != nil { // deleted from this console
		t.Fatal(err)
	}
	if err := os.Rename(trash, path); err != nil { // undone: restored, not listed
		t.Fatal(err)
	}
	holds := slices.DeleteFunc(slices.Clone(listed), func(id model.MessageID) bool { return id == gone })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	changes := make(chan mailsrc.Change, 4)
	go a.Watch(ctx, slices.Values(holds), func(c mailsrc.Change) { changes <- c })
	select {
	case c := <-changes:
		if c.Kind != mailsrc.Added || !slices.Equal(c.IDs, []model.MessageID{gone}) {
			t.Fatalf("%s %v, want %s added", c.Kind, c.IDs, gone)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("%s is in the folder, not in the caller's list, and was never reported", gone)
	}
}
