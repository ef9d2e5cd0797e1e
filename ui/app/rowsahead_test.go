package app

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// gatedSource lists its source only once open is closed: a scan whose
// rows ahead wait for its listing never gives them.
type gatedSource struct {
	mailsrc.Source
	open chan struct{}
	t    *testing.T
}

func (g gatedSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	select {
	case <-g.open:
	case <-time.After(10 * time.Second):
		g.t.Error("the listing waited 10 s for the rows ahead")
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Source.List(ctx, fn)
}

// aheadEvents runs ScanRows on a and returns, in order, what it handed
// out: "ahead" (with the rows), "withdrawn", "row" and "message". then,
// when set, is called once rows are given ahead.
func aheadEvents(t *testing.T, a *App, then func()) (events []string, ahead []model.Row, rows []*model.Row) {
	t.Helper()
	_, err := a.ScanRows(context.Background(), func(model.Message, *model.Row) error {
		events = append(events, "message")
		return nil
	}, func(r *model.Row) error {
		events, rows = append(events, "row"), append(rows, r)
		return nil
	}, func(r []model.Row) {
		if r == nil {
			events = append(events, "withdrawn")
			return
		}
		events, ahead = append(events, "ahead"), r
		if then != nil {
			then()
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return events, ahead, rows
}

// smallRowBlocks makes the row snapshots of the test hold blocks of
// three rows, so that the rows ahead are a strict part of the list.
func smallRowBlocks(t *testing.T) {
	old := rowsPerBlock
	rowsPerBlock = 3
	t.Cleanup(func() { rowsPerBlock = old })
}

func encodedRow(r *model.Row) []byte { return new(model.RowEncoder).Append(nil, r) }

// TestRowsAheadBeforeTheListing: a warm start gives the first block of
// the kept list before the source is listed (the listing waits for
// them), then hands out that list, which begins with the same rows, and
// withdraws nothing.
func TestRowsAheadBeforeTheListing(t *testing.T) {
	smallRowBlocks(t)
	a, _, _ := keptQuarantine(t, Options{})
	untilRows(t, a)
	open := make(chan struct{})
	a.src = gatedSource{Source: a.src, open: open, t: t}
	events, ahead, rows := aheadEvents(t, a, func() { close(open) })
	if len(events) == 0 || events[0] != "ahead" || slices.Contains(events, "withdrawn") || slices.Contains(events, "message") {
		t.Fatalf("handed out %v, want the rows ahead, then rows only", compactEvents(events))
	}
	if len(ahead) != 3 || len(rows) < len(ahead) {
		t.Fatalf("%d rows ahead and %d rows, want 3 ahead of more", len(ahead), len(rows))
	}
	for i := range ahead {
		if !bytes.Equal(encodedRow(&ahead[i]), encodedRow(rows[i])) {
			t.Errorf("row ahead %d is %s, the list's is %s", i, ahead[i].ID(), rows[i].ID())
		}
	}
}

// TestRowsAheadWithdrawnWhenTheSourceChanged: a message delivered since
// the list was kept makes the scan list every message again: the rows
// given ahead are withdrawn before anything else is handed out.
func TestRowsAheadWithdrawnWhenTheSourceChanged(t *testing.T) {
	smallRowBlocks(t)
	a, dir, _ := keptQuarantine(t, Options{})
	untilRows(t, a)
	deliverCopy(t, dir, "1000000000.M1P1.ahead")
	events, _, _ := aheadEvents(t, a, nil)
	if len(events) < 3 || events[0] != "ahead" || events[1] != "withdrawn" || slices.Contains(events[2:], "withdrawn") {
		t.Fatalf("handed out %v, want the rows ahead, withdrawn, then the scan's", compactEvents(events))
	}
}

// TestNoRowsAheadOfAnotherKind: rows are given ahead only from a list
// this binary kept under the settings of now: not under other analysis
// settings, not from another build's file or one others may write, and
// not without a cache.
func TestNoRowsAheadOfAnotherKind(t *testing.T) {
	smallRowBlocks(t)
	a, dir, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	a.Close()

	other := cfg
	other.TrustedHosts = []string{"mx.other.example"}
	b, err := Open(context.Background(), dir, other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if events, _, _ := aheadEvents(t, b, nil); slices.Contains(events, "ahead") {
		t.Error("rows given ahead under other analysis settings")
	}
	// Scanned under those settings, the cache is rebuilt under them, and
	// the list kept under the first stays beside it: still not shown.
	if err := b.Scan(context.Background(), func(model.Message) error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if events, _, _ := aheadEvents(t, b, nil); slices.Contains(events, "ahead") {
		t.Error("rows given ahead from a list kept over the cache before it was rebuilt")
	}
	b.Close()

	c, err := Open(context.Background(), dir, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	untilRows(t, c)
	path, data := rowsFile(t, cfg)
	header, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(header)
	f[2] = "go" + strings.Repeat("0", len(f[2])-2) // another build's
	forged := strings.Join(f, " ") + string(data[len(header):])
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	if events, _, _ := aheadEvents(t, c, nil); slices.Contains(events, "ahead") {
		t.Error("rows given ahead from another build's list")
	}
	untilRows(t, c)
	path, _ = rowsFile(t, cfg)
	if err := os.Chmod(path, 0o660); err != nil {
		t.Fatal(err)
	}
	if events, _, _ := aheadEvents(t, c, nil); slices.Contains(events, "ahead") {
		t.Error("rows given ahead from a list its group may write")
	}

	noCache := cfg
	noCache.Flags.NoCache = true
	d, err := Open(context.Background(), dir, noCache, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if events, _, _ := aheadEvents(t, d, nil); slices.Contains(events, "ahead") {
		t.Error("rows given ahead without a cache")
	}
}

// compactEvents shortens a run of one event to "event×n".
func compactEvents(events []string) []string {
	var out []string
	for i := 0; i < len(events); {
		j := i
		for j < len(events) && events[j] == events[i] {
			j++
		}
		if j-i == 1 {
			out = append(out, events[i])
		} else {
			out = append(out, events[i]+"×"+strconv.Itoa(j-i))
		}
		i = j
	}
	return out
}

// TestRowsAheadReadOneBlock: whatever the file says of itself, only a
// first block of at most rowsPerBlock rows is read ahead.
func TestRowsAheadReadOneBlock(t *testing.T) {
	old := rowsPerBlock
	rowsPerBlock = 6
	t.Cleanup(func() { rowsPerBlock = old })
	a, _, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	if rows := a.rowsAhead(); len(rows) != 6 {
		t.Fatalf("%d rows ahead of a file of blocks of 6, want 6", len(rows))
	}
	rowsPerBlock = 3 // the file's first block now holds more than a block
	if rows := a.rowsAhead(); rows != nil {
		t.Fatalf("%d rows ahead from a first block longer than a block", len(rows))
	}
	rowsPerBlock = 6
	path, data := rowsFile(t, cfg)
	header, body, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(header)
	f[4] = "999999999999"
	if err := os.WriteFile(path, []byte(strings.Join(f, " ")+"\n"+body), 0o600); err != nil {
		t.Fatal(err)
	}
	if rows := a.rowsAhead(); len(rows) != 6 {
		t.Fatalf("%d rows ahead of a file claiming 999999999999, want its first block of 6", len(rows))
	}
}
