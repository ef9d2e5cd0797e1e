package console

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// rowedSource is a RowSource that emits each message with its row, the
// message encoded as ui/app's row lister hands it on.
type rowedSource struct {
	*rowStub
	rows []*model.Row // emitted, in order
}

func (s *rowedSource) ScanRows(ctx context.Context, emit func(model.Message, *model.Row) error, _ func(*model.Row) error,
	_ func([]model.Row), progress func(scan.Progress)) (func([]*model.Row) error, error) {
	msgs := sampleMessages()
	for i := range msgs {
		enc, err := store.Encode(msgs[i])
		if err != nil {
			return nil, err
		}
		kept := enc.Message()
		r := model.NewRowOf(&msgs[i], model.SumContent(kept.Encoded.JSON))
		s.rows = append(s.rows, &r)
		if err := emit(kept, &r); err != nil {
			return nil, err
		}
	}
	progress(scan.Progress{Listed: len(msgs), Analysed: len(msgs), Done: true})
	return s.keep, nil
}

// TestRowsWithTheirMessages: rows a RowSource emits with their messages
// are listed as they are, in the order they came, and each message,
// encoded, is kept whole for the views to read back; the list is kept
// with those rows.
func TestRowsWithTheirMessages(t *testing.T) {
	cfg := testConfig(nil)
	src := &rowedSource{rowStub: &rowStub{stub: stubOf(cfg)}}
	cfg.Source = src
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	runCmd(t, m, m.startScan(), func(msg tea.Msg) bool { b, ok := msg.(scanBatchMsg); return ok && b.done })
	msgs := sampleMessages()
	arrived := m.table.ArrivalRows()
	if len(arrived) != len(msgs) {
		t.Fatalf("%d rows listed, want %d", len(arrived), len(msgs))
	}
	for i, r := range arrived {
		if r.ID() != msgs[i].ID || r.Content() != src.rows[i].Content() || r.Subject() != src.rows[i].Subject() {
			t.Fatalf("row %d is %s, want the emitted row of %s", i, r.ID(), msgs[i].ID)
		}
		got, err := m.reader()(t.Context(), msgs[i].ID)
		if err != nil || got.IsEncoded() || got.Verdict.Attachment != msgs[i].Verdict.Attachment ||
			len(got.Attachments) != len(msgs[i].Attachments) || got.Subject != msgs[i].Subject {
			t.Fatalf("%s read back: %+v, %v", msgs[i].ID, got, err)
		}
	}
	keep := m.keepRows(src.keep)
	if keep == nil {
		t.Fatal("the list is not kept")
	}
	if msg := keep(); msg != nil {
		t.Fatal(msg)
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	for i, r := range src.rows {
		if got, ok := src.kept[r.ID()]; !ok || got.Content() != r.Content() {
			t.Fatalf("row %d kept without its sum (%v)", i, ok)
		}
	}
}

// TestRowedRowsAreAnnotated (found in review): a row that comes with its
// message gets this console's exception when it arrives
// (annotateShared), as a message's row does.
func TestRowedRowsAreAnnotated(t *testing.T) {
	msgs := sampleMessages()
	p := policyFor(t, msgs)
	want := 0
	for i := range msgs {
		m := msgs[i]
		p.Annotate(&m, testNow)
		if m.Exception != nil {
			want++
		}
	}
	if want == 0 {
		t.Fatal("no sample message is covered: the test checks nothing")
	}
	cfg := testConfig(nil)
	src := &rowedSource{rowStub: &rowStub{stub: stubOf(cfg)}}
	cfg.Source = src
	m := newModel(t.Context(), cfg, true)
	m.setPolicy(*p)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	runCmd(t, m, m.startScan(), func(msg tea.Msg) bool { b, ok := msg.(scanBatchMsg); return ok && b.done })
	got := 0
	for _, r := range m.table.ArrivalRows() {
		if r.Exception != nil {
			got++
		}
	}
	if got != want {
		t.Fatalf("%d rows that came with their messages carry an exception, want %d", got, want)
	}
}
