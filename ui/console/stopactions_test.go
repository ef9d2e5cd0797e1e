package console

import (
	"context"
	"sync/atomic"
	"testing"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
)

// slowActions runs a plan one message at a time and stops between
// messages once ctx is cancelled, as action.Service does. Its second
// message is in flight when the console quits: it finishes that message
// (a delivery is not cut in half) and then stops.
type slowActions struct {
	finished atomic.Int32
	first    chan struct{} // closed once the first message is done
}

func (s *slowActions) CanRelease() error { return nil }

func (s *slowActions) Plan(context.Context, action.Request, []*model.Message) (action.Plan, error) {
	return action.Plan{}, nil
}

func (s *slowActions) Execute(ctx context.Context, p action.Plan, progress func(action.Result)) []action.Result {
	var out []action.Result
	for i, it := range p.Items {
		if ctx.Err() != nil {
			break
		}
		if i == 1 {
			<-ctx.Done() // in flight when the console quits
		}
		r := action.Result{ID: it.Message.ID, Outcome: "released"}
		s.finished.Add(1)
		if i == 0 {
			close(s.first)
		}
		progress(r)
		out = append(out, r)
	}
	return out
}

// TestQuitWaitsForTheRunningAction: quitting while a release runs stops
// it between messages, and Run's caller gets control back only once the
// message in flight is done — never with a delivery cut in half.
func TestQuitWaitsForTheRunningAction(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cfg := testConfig(nil)
	svc := &slowActions{first: make(chan struct{})}
	cfg.Actions = svc
	m := newModel(ctx, cfg, true)
	msgs := sampleMessages()
	p := action.Plan{Request: action.Request{Kind: action.Release}}
	for i := range msgs {
		p.Items = append(p.Items, action.Item{Message: &msgs[i]})
	}
	m.execute(p)
	<-svc.first
	cancel()
	m.stopActions()
	if got := svc.finished.Load(); got != 2 {
		t.Fatalf("%d of %d messages done when the console let go, want 2 (the first, and the one in flight)", got, len(msgs))
	}
}
