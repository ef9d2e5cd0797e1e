package console

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// stagedSource emits its messages with their rows from a goroutine of
// its own (as ui/app's output stage does), while the scan goroutine
// reports progress at random; optionally it hands out plain rows first
// (a row replay's) through emitRow.
type stagedSource struct {
	*rowStub
	n, rowsFirst int
	seed         uint64
	emitted      []model.MessageID
}

func (s *stagedSource) ScanRows(ctx context.Context, emit func(model.Message, *model.Row) error, emitRow func(*model.Row) error,
	_ func([]model.Row), progress func(scan.Progress)) (func([]*model.Row) error, error) {
	rng := rand.New(rand.NewPCG(s.seed, 1))
	date := at(28, 9, 15) // every row ties on the date: arrival order decides
	for i := range s.rowsFirst {
		m := model.Message{ID: model.MessageID(fmt.Sprintf("r%05d", i)), Subject: "same", Date: date}
		r := model.NewRow(&m)
		s.emitted = append(s.emitted, m.ID)
		if err := emitRow(&r); err != nil {
			return nil, err
		}
	}
	msgs := make([]model.Message, s.n)
	rows := make([]*model.Row, s.n)
	for i := range msgs {
		m := model.Message{ID: model.MessageID(fmt.Sprintf("m%05d", i)), Subject: "same", Date: date}
		enc, err := store.Encode(m)
		if err != nil {
			return nil, err
		}
		msgs[i] = enc.Message()
		r := model.NewRowOf(&m, model.SumContent(msgs[i].Encoded.JSON))
		rows[i] = &r
		s.emitted = append(s.emitted, m.ID)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var emitErr error
	wg.Add(1)
	go func() { // the stage
		defer wg.Done()
		defer close(stop)
		for i := range msgs {
			if err := emit(msgs[i], rows[i]); err != nil {
				emitErr = err
				return
			}
		}
	}()
	for k := 0; ; k++ { // the scan goroutine's progress, meanwhile
		select {
		case <-stop:
			wg.Wait()
			progress(scan.Progress{Listed: s.n, Analysed: s.n, Done: true})
			return s.keep, emitErr
		default:
		}
		progress(scan.Progress{Listed: s.n, Analysed: k})
		if rng.IntN(4) == 0 {
			for range rng.IntN(200) {
			}
		}
	}
}

// TestRowedFromAnotherGoroutine (from the concurrency review): rows emitted with their messages from
// another goroutine than progress are listed once each, in order, and
// every batch's messages are readable once Update has the batch.
func TestRowedFromAnotherGoroutine(t *testing.T) {
	for seed := range uint64(3) {
		cfg := testConfig(nil)
		src := &stagedSource{rowStub: &rowStub{stub: stubOf(cfg)}, n: 3000 + int(seed)*517, rowsFirst: int(seed%2) * 100, seed: seed}
		cfg.Source = src
		m := newModel(t.Context(), cfg, true)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		read := m.reader()
		runCmd(t, m, m.startScan(), func(msg tea.Msg) bool {
			b, ok := msg.(scanBatchMsg)
			if !ok {
				return false
			}
			for _, r := range b.shared {
				if r.ID()[0] != 'm' {
					continue
				}
				if _, err := read(t.Context(), r.ID()); err != nil {
					t.Fatalf("seed %d: %s listed before it is kept: %v", seed, r.ID(), err)
				}
			}
			return b.done
		})
		got := m.table.ArrivalRows()
		if len(got) != len(src.emitted) {
			t.Fatalf("seed %d: %d rows listed, want %d", seed, len(got), len(src.emitted))
		}
		for i, r := range got {
			if r.ID() != src.emitted[i] {
				t.Fatalf("seed %d: row %d is %s, want %s", seed, i, r.ID(), src.emitted[i])
			}
		}
		if m.table.Total() != len(src.emitted) {
			t.Fatalf("seed %d: total %d", seed, m.table.Total())
		}
	}
}
