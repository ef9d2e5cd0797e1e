package console

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/ui/console/dialog"
)

// aheadRows are the sample messages' rows, as a RowSource gives them
// ahead.
func aheadRows() []model.Row {
	msgs := sampleMessages()
	rows := make([]model.Row, len(msgs))
	for i := range msgs {
		rows[i] = model.NewRow(&msgs[i])
	}
	return rows
}

// TestRowsAheadWaitForTheScan: rows given ahead are listed at once, with
// the status line saying they are being checked; no key marks them,
// acts on them or reads their messages back; the scan's own rows then
// take their place, one row each, and the detail pane reads the
// selected message.
func TestRowsAheadWaitForTheScan(t *testing.T) {
	m, _ := rowStubModel(t)
	rows := aheadRows()
	deliver(m, scanBatchMsg{id: m.scan.id, ahead: rows, hasAhead: true})
	if got := m.table.Total(); got != len(rows) {
		t.Fatalf("%d rows listed ahead, want %d", got, len(rows))
	}
	if status := m.statusLine(120); !strings.Contains(status, "checking it against the quarantine") {
		t.Errorf("status line %q does not say the list is being checked", status)
	}
	if m.read.detailWant != "" {
		t.Errorf("the detail pane reads %s, a row ahead of the check", m.read.detailWant)
	}
	// Every key of the list that touches a message, bound as keys.Default
	// binds it.
	for _, k := range []string{"r", "d", "w", "U", "space", "V", "*", "v", "p", "P", "H", "R", "b", "y", "Y", "i", "W", "o", "D", "c"} {
		m.Update(press(k))
		if m.notice.text != aheadNotice {
			t.Errorf("key %q on a row ahead: notice %q, want %q", k, m.notice.text, aheadNotice)
		}
		m.setNotice("", false)
	}
	if m.dialogs.TopIs(dialog.IDAction) != nil || m.marks.len() > 0 || m.screen != screenList || m.dialogs.Len() > 0 {
		t.Fatal("a key acted on a row ahead of the check")
	}
	m.Update(press("s")) // sorting is only a view of them
	if m.notice.text == aheadNotice {
		t.Error("sorting refused on rows ahead")
	}

	msgs := sampleMessages()
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs})
	if got := m.table.Total(); got != len(msgs) {
		t.Fatalf("%d rows once the scan's came, want %d", got, len(msgs))
	}
	if m.scan.ahead != nil {
		t.Fatal("rows ahead still shown")
	}
	sel := m.table.SelectedRow()
	if sel == nil || m.detail.Message() == nil || m.detail.Message().ID != sel.ID() {
		t.Fatal("the detail pane did not read the selected message once checked")
	}
	m.Update(press("space"))
	if m.marks.len() != 1 {
		t.Errorf("%d marks after space on a checked row, want 1", m.marks.len())
	}
}

// TestRowsAheadWithdrawn: a scan that will not hand out the kept list
// withdraws the rows ahead: they stay, marked out of date and refusing
// the same keys, until the scan's own rows take their place.
func TestRowsAheadWithdrawn(t *testing.T) {
	m, _ := rowStubModel(t)
	rows := aheadRows()
	deliver(m, scanBatchMsg{id: m.scan.id, ahead: rows, hasAhead: true})
	deliver(m, scanBatchMsg{id: m.scan.id, hasAhead: true})
	if got := m.table.Total(); got != len(rows) || m.scan.ahead == nil {
		t.Fatalf("%d rows listed after the rows ahead were withdrawn, want them until the scan's come", got)
	}
	if status := m.statusLine(160); !strings.Contains(status, "out of date") {
		t.Errorf("status line %q does not say the list is out of date", status)
	}
	m.Update(press("r"))
	if m.notice.text != aheadStaleNotice || m.dialogs.TopIs(dialog.IDAction) != nil {
		t.Fatal("a release was asked of a withdrawn row ahead")
	}
	msgs := sampleMessages()[:2]
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs, done: true})
	if got := m.table.Total(); got != len(msgs) || m.scan.ahead != nil || m.scan.aheadStale {
		t.Fatalf("%d rows, want %d", got, len(msgs))
	}
}

// TestRowsAheadEndWithTheScan: a scan that ends without a row (an empty
// source, or an error) takes the rows ahead off the list too.
func TestRowsAheadEndWithTheScan(t *testing.T) {
	m, _ := rowStubModel(t)
	deliver(m, scanBatchMsg{id: m.scan.id, ahead: aheadRows(), hasAhead: true})
	deliver(m, scanBatchMsg{id: m.scan.id, done: true})
	if got := m.table.Total(); got != 0 || m.scan.ahead != nil {
		t.Fatalf("%d rows listed after a scan that listed none", got)
	}
}

// TestRowsAheadKeepTheSelection: the row the operator moved to among
// the rows ahead is selected again once the scan's rows bring it back,
// unless the operator has moved on meanwhile: a cursor that jumped then
// would put the next key on a message they did not pick.
func TestRowsAheadKeepTheSelection(t *testing.T) {
	for _, movedOn := range []bool{false, true} {
		m, _ := rowStubModel(t)
		deliver(m, scanBatchMsg{id: m.scan.id, ahead: aheadRows(), hasAhead: true})
		m.Update(press("j"))
		m.Update(press("j"))
		picked := m.table.SelectedRow().ID()
		var first, later []model.Message // the picked row comes later
		for _, msg := range sampleMessages() {
			if msg.ID == picked {
				later = append(later, msg)
			} else {
				first = append(first, msg)
			}
		}
		deliver(m, scanBatchMsg{id: m.scan.id, msgs: first})
		want := picked
		if movedOn {
			m.Update(press("j"))
			want = m.table.SelectedRow().ID()
		}
		deliver(m, scanBatchMsg{id: m.scan.id, msgs: later})
		if got := m.table.SelectedRow().ID(); got != want {
			t.Errorf("moved on %v: selected %s once checked, want %s", movedOn, got, want)
		}
	}
}

// TestRowsAheadOnlyFirst: rows ahead are shown on an empty list only:
// once the scan listed its own, they are not.
func TestRowsAheadOnlyFirst(t *testing.T) {
	m, _ := rowStubModel(t)
	msgs := sampleMessages()
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs[:1]})
	deliver(m, scanBatchMsg{id: m.scan.id, ahead: aheadRows(), hasAhead: true})
	if got := m.table.Total(); got != 1 || m.scan.ahead != nil {
		t.Fatalf("%d rows, rows ahead shown after the scan's own", got)
	}
}

// aheadSource gives the sample rows ahead, then waits for release
// before it hands out the same rows as a row snapshot's.
type aheadSource struct {
	*rowStub
	release chan struct{}
	scans   int // ScanRows calls; read after the scan's end
}

func (s *aheadSource) ScanRows(ctx context.Context, emit func(model.Message, *model.Row) error, emitRow func(*model.Row) error,
	ahead func([]model.Row), progress func(scan.Progress)) (func([]*model.Row) error, error) {
	s.scans++
	if ahead != nil {
		ahead(aheadRows())
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	rows := aheadRows()
	for i := range rows {
		if err := emitRow(&rows[i]); err != nil {
			return nil, err
		}
	}
	progress(scan.Progress{Listed: len(rows), Analysed: len(rows), Done: true})
	return nil, nil
}

// TestRowsAheadThroughTheScan: through the scan goroutine and its
// batches, the rows ahead come as a batch of their own, before the scan
// has handed out anything, and the scan's rows replace them.
func TestRowsAheadThroughTheScan(t *testing.T) {
	cfg := testConfig(nil)
	src := &aheadSource{rowStub: &rowStub{stub: stubOf(cfg)}, release: make(chan struct{})}
	cfg.Source = src
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	first := m.startScan()()
	b, ok := first.(scanBatchMsg)
	if !ok || !b.hasAhead || len(b.ahead) != len(sampleMessages()) || len(b.shared)+len(b.msgs) > 0 {
		t.Fatalf("first batch %+v, want the rows ahead alone", first)
	}
	_, next := m.Update(b)
	if m.scan.ahead == nil || m.table.Total() != len(b.ahead) {
		t.Fatal("rows ahead not listed")
	}
	close(src.release)
	runCmd(t, m, next, func(msg tea.Msg) bool { b, ok := msg.(scanBatchMsg); return ok && b.done })
	if m.scan.ahead != nil || m.table.Total() != len(sampleMessages()) || m.scan.running {
		t.Fatalf("after the scan: %d rows, ahead %v, running %v", m.table.Total(), m.scan.ahead != nil, m.scan.running)
	}
}

// TestRowsAheadOnlyOnTheFirstScan: a rescan (ctrl+r, a reload) follows a
// list the operator has: the last start's is not shown ahead of it.
func TestRowsAheadOnlyOnTheFirstScan(t *testing.T) {
	cfg := testConfig(nil)
	src := &aheadSource{rowStub: &rowStub{stub: stubOf(cfg)}, release: make(chan struct{})}
	close(src.release)
	cfg.Source = src
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	done := func(msg tea.Msg) bool { b, ok := msg.(scanBatchMsg); return ok && b.done }
	runCmd(t, m, m.startScan(), done)
	var aheadAgain bool
	runCmd(t, m, m.rescan(), func(msg tea.Msg) bool {
		if b, ok := msg.(scanBatchMsg); ok && b.hasAhead {
			aheadAgain = true
		}
		return done(msg)
	})
	if src.scans != 2 || aheadAgain {
		t.Fatalf("%d scans, rows ahead on the rescan: %v", src.scans, aheadAgain)
	}
	if got := m.table.Total(); got != len(sampleMessages()) {
		t.Fatalf("%d rows after the rescan, want %d", got, len(sampleMessages()))
	}
}
