package ppap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/model"
)

// gatedStream writes mails (cached results: pairings read candidates
// back through the opener) to a Stream whose opener blocks until gate
// is closed or its context ends, and returns it with pairings in flight.
func gatedStream(t *testing.T, ctx context.Context, mails []listed, gate chan struct{}, emit func(model.Message) error) *Stream {
	t.Helper()
	cfg := Config{Window: 20 * time.Minute, Budget: time.Hour, Timeout: time.Hour}
	an := cachedResults{analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)}
	src := memSource{}
	for _, l := range mails {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	open := func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return src.open(ctx, id)
	}
	st := NewStream(ctx, cfg, open, emit)
	for _, l := range mails {
		if err := st.Write(an.Analyze(context.Background(), model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
			t.Fatal(err)
		}
	}
	if st.inflight == 0 {
		t.Fatal("no pairing in flight at the end of the listing: the test checks nothing")
	}
	return st
}

// within fails the test unless f returns within d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// TestTailEmitFailure: emit fails on the first message Tail releases;
// Tail reports it, Close reports it too without emitting anything more,
// and every pairing has reported back once Close returns.
func TestTailEmitFailure(t *testing.T) {
	mails := randomQuarantine(t, 3, 600)
	gate := make(chan struct{})
	failing, afterFail := false, 0
	boom := errors.New("emit failed")
	st := gatedStream(t, context.Background(), mails, gate, func(m model.Message) error {
		if failing {
			afterFail++
			return boom
		}
		return nil
	})
	failing = true
	go func() { time.Sleep(50 * time.Millisecond); close(gate) }()
	var tail *Tail
	var err error
	within(t, 20*time.Second, "Tail", func() { tail, err = st.Tail() })
	if !errors.Is(err, boom) || tail != nil {
		t.Fatalf("Tail after emit failed: %v, %v", tail, err)
	}
	within(t, 20*time.Second, "Close", func() { err = st.Close() })
	if !errors.Is(err, boom) {
		t.Fatalf("Close after Tail's emit failed: %v", err)
	}
	if afterFail != 1 || st.inflight != 0 {
		t.Fatalf("emit called %d times after it failed (want 1); %d pairings still in flight", afterFail, st.inflight)
	}
}

// TestTailCancelled: the scan's context ends while Tail waits for
// pairings that wait on the source: Tail returns, and Close after it.
func TestTailCancelled(t *testing.T) {
	mails := randomQuarantine(t, 3, 600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gate := make(chan struct{}) // never opened
	st := gatedStream(t, ctx, mails, gate, func(model.Message) error { return nil })
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	within(t, 20*time.Second, "Tail", func() { _, _ = st.Tail() })
	within(t, 20*time.Second, "Close", func() { _ = st.Close() })
	if st.inflight != 0 || len(st.queue) != 0 {
		t.Fatalf("%d pairings in flight, %d queued after Close", st.inflight, len(st.queue))
	}
}

// TestCloseAfterTailAsCloseAlone: at every cut of short random listings,
// a Stream whose Tail was taken (a tail or ErrNoTail) then closed emits
// each message once, as the same Stream closed without Tail emits it,
// with the same counts.
func TestCloseAfterTailAsCloseAlone(t *testing.T) {
	cfg := Config{Window: 2 * time.Hour, MaxCandidateMails: 3, Budget: time.Hour, Timeout: time.Hour}
	an := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	mix := shortMix{senders: []string{"yamada@partner.example", "it@partner.example"}, zips: shortZips(t, 2),
		hours: 4, undatedOneIn: 4, ownPasswordOneIn: 2}
	rng := rand.New(rand.NewPCG(5, 6))
	run := func(list []listed, tail bool) (map[model.MessageID]model.Message, map[model.MessageID]int, Stats, error) {
		src := memSource{}
		for _, l := range list {
			src[model.MessageID(l.id)] = rawMail(l.m)
		}
		out, times := map[model.MessageID]model.Message{}, map[model.MessageID]int{}
		st := NewStream(context.Background(), cfg, src.open, func(m model.Message) error {
			out[m.ID] = m
			times[m.ID]++
			return nil
		})
		for _, l := range list {
			if err := st.Write(an.Analyze(context.Background(), model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
				t.Fatal(err)
			}
		}
		var terr error
		if tail {
			_, terr = st.Tail()
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		s := st.Stats()
		s.PairTimes = nil
		return out, times, s, terr
	}
	refused := 0
	for trial := range 60 {
		list := mix.listing(rng, fmt.Sprintf("c%d", trial), 12)
		for cut := 1; cut <= len(list); cut++ {
			alone, aloneTimes, aloneStats, _ := run(list[:cut], false)
			after, afterTimes, afterStats, terr := run(list[:cut], true)
			if errors.Is(terr, ErrNoTail) {
				refused++
			} else if terr != nil {
				t.Fatal(terr)
			}
			for id, n := range afterTimes {
				if n != 1 {
					t.Fatalf("trial %d, cut %d: %s emitted %d times after Tail", trial, cut, id, n)
				}
			}
			if !reflect.DeepEqual(after, alone) || !reflect.DeepEqual(afterTimes, aloneTimes) || !reflect.DeepEqual(afterStats, aloneStats) {
				t.Fatalf("trial %d, cut %d (tail: %v): Close after Tail emitted otherwise than Close alone", trial, cut, terr)
			}
		}
	}
	if refused == 0 {
		t.Fatal("no cut gave ErrNoTail: the test checks that path not")
	}
	t.Logf("ErrNoTail at %d cuts", refused)
}
