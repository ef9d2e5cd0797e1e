package imap

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
)

// stepper runs one operator's release and stops it at every step of its
// claim (Source.claimHook), so that a test decides which of two operators
// talks to the server next: between two steps exactly one of them runs.
type stepper struct {
	name   string
	src    *Source
	id     model.MessageID
	at     chan string   // the step it stopped at
	resume chan struct{} // lets it go on
	done   chan error    // its result
	// Owned by the test goroutine:
	started, finished bool
	err               error
	steps             []string
}

func newStepper(name string, src *Source, id model.MessageID) *stepper {
	p := &stepper{name: name, src: src, id: id, at: make(chan string), resume: make(chan struct{}), done: make(chan error, 1)}
	src.claimHook = func(step string) {
		p.at <- step
		<-p.resume
	}
	return p
}

// advance lets the operator run to its next step, which it returns, or to
// its end ("").
func (p *stepper) advance(t *testing.T) string {
	t.Helper()
	p.release(t)
	return p.arrive()
}

// release lets the operator go on (starts it, the first time) without
// waiting for it: see arrive.
func (p *stepper) release(t *testing.T) {
	t.Helper()
	switch {
	case p.finished:
		t.Fatalf("the schedule advances %s, which has finished (%v) after %v", p.name, p.err, p.steps)
	case !p.started:
		p.started = true
		go func() { p.done <- p.src.Release(context.Background(), p.id, "") }()
	default:
		p.resume <- struct{}{}
	}
}

// arrive waits for the operator's next step, which it returns, or its end
// ("").
func (p *stepper) arrive() string {
	select {
	case step := <-p.at:
		p.steps = append(p.steps, step)
		return step
	case p.err = <-p.done:
		p.finished = true
		return ""
	}
}

// finish runs the operators to their ends in turn, each until it ends or
// waits for a rival to withdraw ("waiting"), so that the end too is one
// fixed order.
func finish(t *testing.T, ops ...*stepper) {
	t.Helper()
	for range 50 {
		running := false
		for _, p := range ops {
			for !p.finished && p.advance(t) != "waiting" {
			}
			running = running || !p.finished
		}
		if !running {
			return
		}
	}
	t.Fatal("the operators are still running after 50 turns each")
}

// TestDovecotClaimInterleavings runs two operators' claims of one message
// step by step in a fixed order against a real Dovecot: whatever the
// order, and whichever operator's keyword sorts first, exactly one of them
// releases the message, the other is told it is claimed or gone, and no
// claim keyword is left. "ABBA" is the order that made both win when the
// claim was one shared keyword stored with UNCHANGEDSINCE: both looked
// before either stored, so the second store, tested against a view that
// did not hold the first, answered OK and left the first's keyword, which
// its session then took for its own.
func TestDovecotClaimInterleavings(t *testing.T) {
	// Steps: the first advance runs to "looked" (after the first look),
	// the second to "stored", the third to "won" or "waiting"; an
	// operator that finds the message claimed or gone ends instead.
	// The orders (the test's names are short: Dovecot's socket paths
	// live under the test's temporary directory):
	//   ABBA   both look, then both store, the second first;
	//   ABAB   the stores cross;
	//   ABAAB  the rival stores after the other won;
	//   ABAABB the rival stores after the other won, and looks again
	//          before the other moved the message;
	//   AAB    the rival looks after the other stored;
	//   AAAB   the rival looks after the other won.
	orders := []string{"ABBA", "ABAB", "ABAAB", "ABAABB", "AAB", "AAAB"}
	keywords := []struct {
		name string
		a, b goimap.Flag
	}{
		{"A<B", ClaimPrefix + "-aaaa", ClaimPrefix + "-bbbb"},
		{"B<A", ClaimPrefix + "-bbbb", ClaimPrefix + "-aaaa"},
	}
	for _, order := range orders {
		for _, kw := range keywords {
			t.Run(order+"/"+kw.name, func(t *testing.T) {
				d := dovecottest.Start(t, dovecottest.Options{})
				d.Append("Quarantine", testMessage(0))
				noWait := func(c *Config) { c.sleep = func(context.Context, time.Duration) error { return nil } }
				a, b := mustOpenDovecot(t, d, noWait), mustOpenDovecot(t, d, noWait)
				a.claimKeyword, b.claimKeyword = kw.a, kw.b
				ids := listIDs(t, a)
				listIDs(t, b) // b's session has seen the message, as an operator's would
				ops := map[rune]*stepper{'A': newStepper("A", a, ids[0]), 'B': newStepper("B", b, ids[0])}
				for _, r := range order {
					if !ops[r].finished { // one that ended early skips its turns
						ops[r].advance(t)
					}
				}
				finish(t, ops['A'], ops['B'])
				oneWinner(t, d, ops['A'], ops['B'])
			})
		}
	}
}

// oneWinner checks the outcome of two operators' race for one message:
// exactly one won the claim and released the message, the other was told
// it is claimed or gone, and no claim keyword is left.
func oneWinner(t *testing.T, d *dovecottest.Server, ops ...*stepper) {
	t.Helper()
	claimed, released := 0, 0
	for _, p := range ops {
		t.Logf("%s (%s): steps %v, result %v", p.name, p.src.claimKeyword, p.steps, p.err)
		if slices.Contains(p.steps, "won") {
			claimed++
		}
		switch {
		case p.err == nil:
			released++
		case !errors.Is(p.err, mailsrc.ErrNotFound): // ErrClaimed wraps it
			t.Errorf("%s: %v, want success, ErrClaimed or ErrNotFound", p.name, p.err)
		}
	}
	if claimed != 1 {
		t.Errorf("%d operators won the claim, want exactly 1", claimed)
	}
	if released != 1 {
		t.Errorf("%d operators released the message, want exactly 1", released)
	}
	if n := len(d.Flags("Released")); n != 1 {
		t.Errorf("Released holds %d messages, want 1", n)
	}
	if n := len(d.Flags("Quarantine")); n != 0 {
		t.Errorf("the quarantine still holds %d messages", n)
	}
	noClaimsLeft(t, d, "Quarantine", "Released")
}

// noClaimsLeft fails the test when a message of the mailboxes carries a
// claim keyword.
func noClaimsLeft(t *testing.T, d *dovecottest.Server, mailboxes ...string) {
	t.Helper()
	for _, mb := range mailboxes {
		for uid, flags := range d.Flags(mb) {
			for _, f := range flags {
				if isClaim(f) {
					t.Errorf("%s UID %d keeps the claim keyword %s", mb, uid, f)
				}
			}
		}
	}
}
