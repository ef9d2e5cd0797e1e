package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// memSource is a source held in memory, for testing the pipeline's
// ordering, bounds and error handling independently of any store.
type memSource struct {
	entries []mailsrc.Entry
	bodies  map[model.MessageID]string
	listErr error
	opened  atomic.Int64
}

func (s *memSource) Name() string { return "memory" }
func (s *memSource) Close() error { return nil }

func (s *memSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	for _, e := range s.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return s.listErr
}

func (s *memSource) Open(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
	s.opened.Add(1)
	body, ok := s.bodies[id]
	if !ok {
		return nil, mailsrc.ErrNotFound
	}
	return io.NopCloser(strings.NewReader(body)), nil
}

// echoAnalyzer puts the body in the subject after a random delay, so that
// workers finish out of order.
type echoAnalyzer struct {
	inFlight, maxInFlight atomic.Int64
}

func (a *echoAnalyzer) Analyze(_ context.Context, id model.MessageID, raw io.Reader) model.Message {
	n := a.inFlight.Add(1)
	defer a.inFlight.Add(-1)
	for {
		old := a.maxInFlight.Load()
		if n <= old || a.maxInFlight.CompareAndSwap(old, n) {
			break
		}
	}
	b, _ := io.ReadAll(raw)
	time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
	return model.Message{ID: id, Subject: string(b), Verdict: model.Verdict{Attachment: model.AttachmentClean}}
}

func newMemSource(n int) *memSource {
	s := &memSource{bodies: map[model.MessageID]string{}}
	for i := range n {
		id := model.MessageID(fmt.Sprintf("m%05d", i))
		s.entries = append(s.entries, mailsrc.Entry{ID: id})
		s.bodies[id] = "body " + string(id)
	}
	return s
}

func TestRunEmitsInListingOrder(t *testing.T) {
	src := newMemSource(500)
	an := &echoAnalyzer{}
	var got []model.MessageID
	var last Progress
	err := Run(context.Background(), src, an, Options{Workers: 4, Progress: func(p Progress) { last = p }}, func(m model.Message) error {
		if m.Subject != "body "+string(m.ID) {
			t.Errorf("message %s carries %q", m.ID, m.Subject)
		}
		got = append(got, m.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 500 {
		t.Fatalf("emitted %d messages, want 500", len(got))
	}
	for i, id := range got {
		if want := model.MessageID(fmt.Sprintf("m%05d", i)); id != want {
			t.Fatalf("position %d: got %s, want %s", i, id, want)
		}
	}
	if !last.Done || last.Listed != 500 || last.Analysed != 500 {
		t.Errorf("final progress %+v, want done with 500 listed and analysed", last)
	}
	if max := an.maxInFlight.Load(); max > 4 {
		t.Errorf("%d analyses ran at once with 4 workers", max)
	}
}

func TestRunEntryErrorsAndSkips(t *testing.T) {
	src := newMemSource(3)
	src.entries = append(src.entries,
		mailsrc.Entry{ID: "broken.gz", Err: errors.New("gzip: invalid header")},
		mailsrc.Entry{ID: "photo.jpg", Err: fmt.Errorf("photo.jpg: %w", mailsrc.ErrNotMail)},
		mailsrc.Entry{ID: "vanished"},
	)
	var warned []model.MessageID
	var got []model.Message
	err := Run(context.Background(), src, &echoAnalyzer{}, Options{
		Warn: func(e mailsrc.Entry) { warned = append(warned, e.ID) },
	}, func(m model.Message) error { got = append(got, m); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || warned[0] != "photo.jpg" {
		t.Errorf("warned about %v, want [photo.jpg]", warned)
	}
	if len(got) != 5 {
		t.Fatalf("emitted %d messages, want 5 (3 good, 2 errors)", len(got))
	}
	for _, m := range got[3:] {
		if m.Error == "" || m.Verdict.Attachment != model.AttachmentError {
			t.Errorf("%s: want an error record, got error=%q verdict=%q", m.ID, m.Error, m.Verdict.Attachment)
		}
	}
	if !strings.Contains(got[4].Error, "not found") {
		t.Errorf("vanished message error %q does not say not found", got[4].Error)
	}
}

func TestRunStopsOnEmitError(t *testing.T) {
	src := newMemSource(10_000)
	stop := errors.New("disk full")
	n := 0
	err := Run(context.Background(), src, &echoAnalyzer{}, Options{Workers: 2}, func(model.Message) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Run returned %v, want the emit error", err)
	}
	if opened := src.opened.Load(); opened > 10+2*16+2 {
		t.Errorf("opened %d messages after emit failed at 10; the window should bound it", opened)
	}
}

func TestRunListingFailure(t *testing.T) {
	src := newMemSource(2)
	src.listErr = errors.New("permission denied")
	err := Run(context.Background(), src, &echoAnalyzer{}, Options{}, func(model.Message) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Run returned %v, want the listing error", err)
	}
}

func TestRunCancelled(t *testing.T) {
	src := newMemSource(10_000)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := Run(ctx, src, &echoAnalyzer{}, Options{}, func(model.Message) error {
		if n++; n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
}

// TestRunBoundedWindow checks that memory stays flat: with a consumer that
// never keeps up, no more than the window is opened ahead of it.
func TestRunBoundedWindow(t *testing.T) {
	src := newMemSource(2_000)
	seen := 0
	err := Run(context.Background(), src, &echoAnalyzer{}, Options{Workers: 2}, func(model.Message) error {
		seen++
		if ahead := src.opened.Load() - int64(seen); ahead > 2*16 {
			return fmt.Errorf("%d messages opened ahead of the consumer", ahead)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
