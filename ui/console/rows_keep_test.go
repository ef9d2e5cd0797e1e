package console

import (
	"context"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// rowStub is a RowSource whose scan hands out the stub's messages, and
// whose keep function encodes the rows it is given, as ui/app's does
// (reading every field, off Update), and remembers them by ID.
type rowStub struct {
	*stub
	mu   sync.Mutex
	kept map[model.MessageID]model.Row
}

func (s *rowStub) ScanRows(ctx context.Context, emit func(model.Message, *model.Row) error, _ func(*model.Row) error,
	_ func([]model.Row), progress func(scan.Progress)) (func([]*model.Row) error, error) {
	return s.keep, s.scan(ctx, func(m model.Message) error { return emit(m, nil) }, progress)
}

func (s *rowStub) keep(rows []*model.Row) error {
	var enc model.RowEncoder
	var b []byte
	for _, r := range rows {
		b = enc.Append(b, r)
	}
	var dec model.RowDecoder
	out := map[model.MessageID]model.Row{}
	for data := string(b); data != ""; {
		r, rest, err := dec.Decode(data)
		if err != nil {
			return err
		}
		out[r.ID()], data = r, rest
	}
	s.mu.Lock()
	s.kept = out
	s.mu.Unlock()
	return nil
}

func rowStubModel(t *testing.T) (*Model, *rowStub) {
	cfg := testConfig(nil)
	rs := &rowStub{stub: stubOf(cfg)}
	cfg.Source = rs
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m, rs
}

// TestKeptRowsAreTheScans: the list kept for the next start is the
// scan's as it stood when the scan was done, although Update goes on
// while it is written: a departure (the row's text given back), a
// verification (the row overwritten) and a policy change on the
// table's rows meanwhile neither race with the writer (-race) nor reach
// what is kept.
func TestKeptRowsAreTheScans(t *testing.T) {
	m, rs := rowStubModel(t)
	msgs := sampleMessages()
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs, done: true})
	cmd := m.keepRows(rs.keep)
	if cmd == nil {
		t.Fatal("no list kept")
	}
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	m.removeDeparted([]model.MessageID{msgs[0].ID}, "released by sato")
	verified := msgs[1]
	verified.Subject = "re-analysed: not the cached result"
	m.handleReanalysed(reanalysedMsg{scanID: m.scan.id, id: verified.ID, msg: verified})
	m.table.UpdateRows(func(r *model.Row) (model.Row, bool) {
		return r.WithException(&model.ExceptionMatch{ID: 9}), true
	})
	if msg := <-done; msg != nil {
		t.Fatal(msg)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i := range msgs {
		want := model.NewRow(&msgs[i])
		if got, ok := rs.kept[msgs[i].ID]; !ok || got.Subject() != want.Subject() || got.From() != want.From() {
			t.Errorf("%s: kept %q from %q, want %q from %q", msgs[i].ID, got.Subject(), got.From(), want.Subject(), want.From())
		}
	}
}

// TestVerifiedDuringScanIsNotKept: a row verified while the scan runs is
// in the table when it is done, and is not the scan's result (the next
// start would read back the cached one for it): that list is not kept.
func TestVerifiedDuringScanIsNotKept(t *testing.T) {
	m, rs := rowStubModel(t)
	msgs := sampleMessages()
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs})
	verified := msgs[1]
	verified.Subject = "re-analysed: not the cached result"
	m.handleReanalysed(reanalysedMsg{scanID: m.scan.id, id: verified.ID, msg: verified})
	m.Update(scanBatchMsg{id: m.scan.id, done: true})
	if cmd := m.keepRows(rs.keep); cmd != nil {
		t.Fatal("the list of a scan with a verified row is kept")
	}
}
