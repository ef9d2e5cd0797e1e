package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// rowsHeaderCount reads the count the kept list's header gives.
func rowsHeaderCount(t *testing.T, cfg Config) (string, int) {
	t.Helper()
	path, b := rowsFile(t, cfg)
	line, _, _ := bytes.Cut(b, []byte("\n"))
	h, ok := parseRowsHeader(string(line) + "\n")
	if !ok {
		t.Fatalf("kept list header %q", line)
	}
	return path, h.count
}

// The tests of this file came from a review of the replay with new mail
// (snapshotdelta.go) for concurrency and data safety.

// TestNewMailAfterADamagedBlock: a damaged block of the kept list, with
// new mail after the snapshot's listing: the blocks before it go out as rows, the rest (the snapshot's
// and the new mail) as messages, the list is kept again for the
// snapshot's listing only (count rows), and the next scan hands that
// out with the new mail.
func TestNewMailAfterADamagedBlock(t *testing.T) {
	defer func(n, c int) { rowsPerBlock, chunkLen = n, c }(rowsPerBlock, chunkLen)
	rowsPerBlock, chunkLen = 50, 16
	a, dir, cfg := keptQuarantine(t, Options{Warn: func(string) {}})
	before := untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	deliverNews(t, dir, "1999999991.M1P1.news")
	damageBlock(t, cfg, 2)
	want := freshScan(t, dir, cfg)
	s := scanRows(t, a) // keeps the list with the console's rows, new mail included
	if !a.ScanReplayed() {
		t.Fatal("not replayed")
	}
	if n := sameAsFresh(t, "damaged+new", a, s, want); n == 0 || n >= len(before.rows) {
		t.Fatalf("%d rows handed out", n)
	}
	wantKeptRows(t, cfg, before, "after damaged+new")
	replaysWithNews(t, a, before, 2, want, "after damaged+new")
}

// TestNewMailCancelled: cancelled while the new mail goes out (after the whole kept list):
// nothing is emitted after ScanRows returns, no goroutine stays, the
// kept list stands, and the next scan hands out the same.
func TestNewMailCancelled(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	deliverNews(t, dir, "1999999991.M1P1.news")
	want := freshScan(t, dir, cfg)
	scanRows(t, a) // caches the new mail
	path, _ := rowsFile(t, cfg)
	st, _ := os.Stat(path)
	for _, at := range []string{"row", "message"} {
		ctx, cancel := context.WithCancel(context.Background())
		var returned atomic.Bool
		var late atomic.Int32
		msgs := 0
		keep, err := a.ScanRows(ctx, func(m model.Message, _ *model.Row) error {
			if returned.Load() {
				late.Add(1)
			}
			msgs++
			if at == "message" {
				cancel()
				return ctx.Err()
			}
			return nil
		}, func(*model.Row) error {
			if returned.Load() {
				late.Add(1)
			}
			if at == "row" {
				cancel()
			}
			return nil
		}, nil, nil)
		returned.Store(true)
		cancel()
		if err == nil || keep != nil {
			t.Fatalf("cancelled at a %s: err %v, keep %v", at, err, keep != nil)
		}
		if at == "message" && msgs != 1 || at == "row" && msgs != 0 {
			t.Fatalf("cancelled at a %s: %d messages", at, msgs)
		}
		deadline := time.Now().Add(2 * time.Second)
		for listerGoroutines() != "" && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if g := listerGoroutines(); g != "" {
			t.Fatalf("cancelled at a %s: goroutines left:\n%s", at, g)
		}
		if late.Load() != 0 {
			t.Fatalf("cancelled at a %s: %d emitted after ScanRows returned", at, late.Load())
		}
		if now, err := os.Stat(path); err != nil || !os.SameFile(st, now) || !now.ModTime().Equal(st.ModTime()) {
			t.Fatalf("cancelled at a %s: the kept list changed (%v)", at, err)
		}
	}
	replaysWithNews(t, a, before, 2, want, "after the cancels")
}

// TestNewMailAlikeOnBothPaths: the new mail the row path emits (from appendedPlan, the first time
// analysed, then cached) is byte for byte what ScanEncoded (the
// message path, a replay through scan.Run) emits for it.
func TestNewMailAlikeOnBothPaths(t *testing.T) {
	a, dir, _ := keptQuarantine(t, Options{})
	untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	// No Date header: the delivery date, from the file.
	raw := "From: Nodate <nodate@unrelated2.example>\r\nTo: t@sakura.example\r\nSubject: no date\r\n\r\nbody\r\n"
	if err := os.WriteFile(dir+"/new/1999999991.M1P1.nodate", []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	jsonOfNew := func(ms []model.Message) map[model.MessageID]string {
		out := map[model.MessageID]string{}
		for _, m := range ms {
			if !strings.HasPrefix(string(m.ID), "19999999") {
				continue
			}
			if m.IsEncoded() {
				out[m.ID] = string(m.Encoded.JSON)
			} else {
				out[m.ID] = jsonOf(t, m)
			}
		}
		return out
	}
	first := jsonOfNew(scanRows(t, a).msgs) // analysed by appendedPlan
	if !a.ScanReplayed() || len(first) != 2 {
		t.Fatalf("replayed %v, %d new", a.ScanReplayed(), len(first))
	}
	second := jsonOfNew(scanRows(t, a).msgs) // cached
	var enc []model.Message
	if err := a.ScanEncoded(context.Background(), func(m model.Message) error { enc = append(enc, m); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if !a.ScanReplayed() {
		t.Fatal("ScanEncoded did not replay")
	}
	third := jsonOfNew(enc)
	for id, j := range first {
		if second[id] != j || third[id] != j {
			t.Errorf("%s:\nrows, analysed %s\nrows, cached   %s\nScanEncoded    %s", id, j, second[id], third[id])
		}
	}
}

// TestOverlappingScansWithNewMail: two console scans overlapping on one App (a rescan while the first
// still hands out its kept list): no race, the first one's rows are
// not read back, the second's are, and both emit the new mail once.
func TestOverlappingScansWithNewMail(t *testing.T) {
	defer func(n int) { rowsPerBlock = n }(rowsPerBlock)
	rowsPerBlock = 50
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	want := freshScan(t, dir, cfg)
	block, started := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	var firstMsgs []model.MessageID
	wg.Go(func() {
		rows := 0
		_, err := a.ScanRows(context.Background(), func(m model.Message, _ *model.Row) error {
			firstMsgs = append(firstMsgs, m.ID)
			return nil
		}, func(*model.Row) error {
			rows++
			once.Do(func() {
				close(started)
				<-block
			})
			return nil
		}, nil, nil)
		if err != nil || rows != len(before.rows) {
			t.Errorf("first scan: %v, %d rows", err, rows)
		}
	})
	<-started // the first is in its hand-out
	s := scanRows(t, a)
	close(block)
	wg.Wait()
	if !slices.Equal(firstMsgs, []model.MessageID{"1999999990.M1P1.news"}) {
		t.Fatalf("first scan emitted %v", firstMsgs)
	}
	sameAsFresh(t, "second", a, s, want)
	if _, err := a.Message(context.Background(), before.rows[0].ID()); err != nil {
		t.Fatal(err)
	}
}

// TestKeptListWithNewMailInAnyOrder: the console's keep after a replay of messages with new mail: its rows
// in any order (new mail first) keep exactly the snapshot listing's
// rows, in listing order; rows that are not one of each listed message
// (a new mail gone, or one more) keep nothing.
func TestKeptListWithNewMailInAnyOrder(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	deliverNews(t, dir, "1999999991.M1P1.news")
	want := freshScan(t, dir, cfg)
	path, _ := rowsFile(t, cfg)
	scanOnce := func() (func([]*model.Row) error, []*model.Row) {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		var rows []*model.Row
		keep, err := a.ScanRows(context.Background(), func(_ model.Message, r *model.Row) error {
			rows = append(rows, r)
			return nil
		}, func(r *model.Row) error { rows = append(rows, r); return nil }, nil, nil)
		if err != nil || keep == nil || len(rows) != len(want) {
			t.Fatalf("scan: %v, keep %v, %d rows", err, keep != nil, len(rows))
		}
		return keep, rows
	}
	keep, rows := scanOnce()
	slices.Reverse(rows) // the new mail first
	for _, bad := range [][]*model.Row{rows[1:], append(slices.Clone(rows), rows[0])} {
		if err := keep(bad); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("a list of %d rows was kept from %d", len(bad), len(rows))
		}
	}
	if err := keep(rows); err != nil {
		t.Fatal(err)
	}
	wantKeptRows(t, cfg, before, "kept in reverse")
	replaysWithNews(t, a, before, 2, want, "kept in reverse")
}

// TestNewMailWithAReadOnlyCache: another process holds the cache (this one reads it only): the new
// mail is analysed, not cached, on each scan, and both paths still emit
// what a fresh scan does.
func TestNewMailWithAReadOnlyCache(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	want := freshScan(t, dir, cfg)
	held := a.openCache() // "another process"
	if held == nil || held.Stats().ReadOnly {
		t.Fatal("no writer")
	}
	defer held.Close()
	for range 2 {
		replaysWithNews(t, a, before, 1, want, "read-only")
		if !a.ScanReplayed() {
			t.Fatal("read-only: not replayed")
		}
	}
	var n int
	if err := a.Scan(context.Background(), func(model.Message) error { n++; return nil }, nil); err != nil || n != len(want) || !a.ScanReplayed() {
		t.Fatalf("Scan: %v, %d of %d, replayed %v", err, n, len(want), a.ScanReplayed())
	}
}

// TestNewMailAnalysedBound: maxAppendedAnalysed; as many new mails without a cached result as it
// says are replayed with the snapshot; one more pairs through the stream.
func TestNewMailAnalysedBound(t *testing.T) {
	for _, extra := range []int{0, 1} {
		dir := snapshotQuarantine(t)
		cfg := Config{}
		cfg.Offline, cfg.CacheDir = true, t.TempDir()
		scanSorted(t, dir, cfg, Options{})
		if _, replayed := scanSorted(t, dir, cfg, Options{}); !replayed {
			t.Fatal("unchanged not replayed")
		}
		for i := range maxAppendedAnalysed + extra {
			deliverNews(t, dir, fmt.Sprintf("19999%05d.M1P1.news", i))
		}
		c := cfg
		c.Flags.NoCache = true
		want, _ := scanSorted(t, dir, c, Options{})
		got, replayed := scanSorted(t, dir, cfg, Options{})
		if replayed != (extra == 0) || !slices.Equal(got, want) {
			t.Fatalf("%d new: replayed %v, same %v", maxAppendedAnalysed+extra, replayed, slices.Equal(got, want))
		}
	}
}

// cancelOnOpen cancels a scan as the new mail is opened (appendedPlan's
// analysis of it).
type cancelOnOpen struct {
	mailsrc.Source
	cancel func()
}

func (s cancelOnOpen) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if strings.HasSuffix(string(id), ".news") {
		s.cancel()
	}
	return s.Source.Open(ctx, id)
}

// TestNewMailCancelledWhileRead: cancelled while appendedPlan reads the new mail: the scan fails with
// the cancel, emits nothing after it returns, and the next scan is a
// fresh scan's.
func TestNewMailCancelledWhileRead(t *testing.T) {
	a, dir, cfg := keptQuarantine(t, Options{})
	before := untilRows(t, a)
	deliverNews(t, dir, "1999999990.M1P1.news")
	want := freshScan(t, dir, cfg)
	src := a.src
	ctx, cancel := context.WithCancel(context.Background())
	a.src = cancelOnOpen{src, cancel}
	var returned atomic.Bool
	late := 0
	_, err := a.ScanRows(ctx, func(model.Message, *model.Row) error {
		if returned.Load() {
			late++
		}
		return nil
	}, func(*model.Row) error {
		if returned.Load() {
			late++
		}
		return nil
	}, nil, nil)
	returned.Store(true)
	a.src = src
	if !errors.Is(err, context.Canceled) || late != 0 {
		t.Fatalf("cancelled in appendedPlan: %v, %d late", err, late)
	}
	replaysWithNews(t, a, before, 1, want, "after a cancel in appendedPlan")
}

// replaysWithNews scans a again and checks that it hands out the kept
// list's rows (before's) and news new messages, each what a scan without
// any cache emits (want).
func replaysWithNews(t *testing.T, a *App, before rowScan, news int, want []model.Message, what string) {
	t.Helper()
	s := scanRows(t, a)
	if len(s.rows) != len(before.rows) || len(s.msgs) != news {
		t.Fatalf("%s: %d rows and %d messages, want %d and %d", what, len(s.rows), len(s.msgs), len(before.rows), news)
	}
	sameAsFresh(t, what, a, s, want)
}

// wantKeptRows checks that the kept list is the snapshot's rows
// (before's), without the new mail.
func wantKeptRows(t *testing.T, cfg Config, before rowScan, what string) {
	t.Helper()
	if _, n := rowsHeaderCount(t, cfg); n != len(before.rows) {
		t.Fatalf("%s: kept list of %d rows, want the snapshot's %d", what, n, len(before.rows))
	}
}
