package action

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// The child process: a test binary re-executed with these variables set
// releases one message as an operator would, and kills itself with
// SIGKILL at the step named by envCrash (no deferred code, no flush),
// or, without it, prints the outcome.
const (
	envChild  = "MXAUDIT_ACTION_CHILD"
	envCrash  = "MXAUDIT_ACTION_CRASH"
	envDir    = "MXAUDIT_ACTION_DIR"
	envRelay  = "MXAUDIT_ACTION_RELAY"
	envPolicy = "MXAUDIT_ACTION_POLICY"
	envAudit  = "MXAUDIT_ACTION_AUDIT"
	envID     = "MXAUDIT_ACTION_ID"
	envUser   = "MXAUDIT_ACTION_USER"
	envStart  = "MXAUDIT_ACTION_START"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

func runChild() int {
	ctx := context.Background()
	src, err := mailsrc.Open(os.Getenv(envDir))
	if err != nil {
		fmt.Println("child:", err)
		return 3
	}
	defer src.Close()
	audit, err := store.OpenAuditLog(os.Getenv(envAudit))
	if err != nil {
		fmt.Println("child:", err)
		return 3
	}
	crash := os.Getenv(envCrash)
	cfg := Config{
		Source: src, SourceName: os.Getenv(envDir),
		Policy:   store.NewPolicyStore(os.Getenv(envPolicy), os.Getenv(envAudit), approvers),
		Audit:    audit,
		Operator: model.Operator{User: os.Getenv(envUser)},
		Relay:    os.Getenv(envRelay),
		hooks: &hooks{step: func(name string) error {
			if name == crash {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				time.Sleep(time.Minute)
			}
			return nil
		}},
	}
	s, err := New(cfg)
	if err != nil {
		fmt.Println("child:", err)
		return 3
	}
	id := model.MessageID(os.Getenv(envID))
	rc, err := src.Open(ctx, id)
	if err != nil {
		fmt.Println("child:", err)
		return 3
	}
	m := analysis.New(analysis.Config{}).Analyze(ctx, id, rc)
	rc.Close()
	p, err := s.Plan(ctx, Request{Kind: Release, IDs: []model.MessageID{id}}, []*model.Message{&m})
	if err != nil {
		fmt.Println("child:", err)
		return 3
	}
	// Start together with the other child of a race, to the millisecond.
	if start := os.Getenv(envStart); start != "" {
		var at int64
		fmt.Sscan(start, &at)
		time.Sleep(time.Until(time.UnixMilli(at)))
	}
	r := s.Execute(ctx, p, nil)[0]
	fmt.Println(r.Outcome)
	return 0
}

// child returns the command that runs runChild on the fixture.
func (f *fixture) child(t *testing.T, user, relay, crash string, id model.MessageID) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=1", envCrash+"="+crash, envDir+"="+f.dir, envRelay+"="+relay,
		envPolicy+"="+f.policyPath, envAudit+"="+f.auditPath, envID+"="+string(id), envUser+"="+user)
	return cmd
}

// where says where a message is: "quarantine", "released", "both" or
// "neither", looking at the files themselves.
func where(t *testing.T, f *fixture, id model.MessageID) string {
	inQ := f.present(id)
	inR := false
	filepath.WalkDir(filepath.Join(f.dir, ".released"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasPrefix(d.Name(), string(id)) {
			inR = true
		}
		return nil
	})
	switch {
	case inQ && inR:
		return "both"
	case inQ:
		return "quarantine"
	case inR:
		return "released"
	}
	return "neither"
}

// TestReleaseKilledBetweenSteps kills the releasing process at each step
// and checks that the message is somewhere, was delivered at most once,
// and that a later release never delivers it a second time.
func TestReleaseKilledBetweenSteps(t *testing.T) {
	tests := []struct {
		step          string
		wantWhere     string
		wantDelivered int
		// after: what a second release by another operator does.
		afterWhere string
		afterText  string
	}{
		{"pending", "quarantine", 0, "quarantine", "not confirmed"},
		{"delivered", "quarantine", 1, "quarantine", "not confirmed"},
		{"confirmed", "quarantine", 1, "quarantine", "not confirmed"},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			f := newFixture(t, demo.FormatMaildir, pick(1, clean))
			id := f.ids[0]
			sink := newSMTPSink(t)
			out, err := f.child(t, "tanaka", sink.Addr, tt.step, id).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed: %v\n%s", err, out)
			}
			if w := where(t, f, id); w != tt.wantWhere {
				t.Errorf("after the kill the message is in %s, want %s", w, tt.wantWhere)
			}
			if n := len(sink.Deliveries()); n != tt.wantDelivered {
				t.Errorf("%d deliveries, want %d", n, tt.wantDelivered)
			}
			s := f.service(f.open(), "sato", sink.Addr)
			p, err := s.Plan(context.Background(), Request{Kind: Release, IDs: f.ids}, f.messages(id))
			if err != nil {
				t.Fatal(err)
			}
			r := s.Execute(context.Background(), p, nil)[0]
			if !errors.Is(r.Err, ErrAlreadyDone) || !strings.Contains(r.Outcome, tt.afterText) || !strings.Contains(r.Outcome, "by tanaka") {
				t.Errorf("second release: %q", r.Outcome)
			}
			if n := len(sink.Deliveries()); n != tt.wantDelivered {
				t.Errorf("%d deliveries after the second release, want %d", n, tt.wantDelivered)
			}
			if w := where(t, f, id); w != tt.afterWhere {
				t.Errorf("after the second release the message is in %s, want %s", w, tt.afterWhere)
			}
			// Once the relay's log shows it, an unconfirmed release can be
			// sent again — not while it might still be in progress.
			later := f.service(f.open(), "sato", sink.Addr)
			later.cfg.Now = func() time.Time { return time.Now().Add(UnconfirmedAfter + time.Minute) }
			req := Request{Kind: Release, IDs: f.ids, ResendUnconfirmed: true}
			if p, err = s.Plan(context.Background(), req, f.messages(id)); err != nil || p.Blocked != 1 {
				t.Errorf("resend of a fresh pending record planned: %+v %v", p.Items, err)
			}
			p, _ = later.Plan(context.Background(), req, f.messages(id))
			if r := later.Execute(context.Background(), p, nil)[0]; r.Err != nil {
				t.Fatalf("resend: %q", r.Outcome)
			}
			if n := len(sink.Deliveries()); n != tt.wantDelivered+1 || where(t, f, id) != "released" {
				t.Errorf("after the resend: %d deliveries, message in %s", n, where(t, f, id))
			}
		})
	}
}

// TestReleaseFailureBetweenSteps injects failures (not crashes) between
// the steps: the message stays in the quarantine and nothing is sent
// twice.
func TestReleaseFailureBetweenSteps(t *testing.T) {
	for _, step := range []string{"pending", "delivered", "confirmed"} {
		t.Run(step, func(t *testing.T) {
			f := newFixture(t, demo.FormatGzip, pick(1, clean))
			id := f.ids[0]
			sink := newSMTPSink(t)
			s := f.service(nil, "tanaka", sink.Addr)
			s.cfg.hooks = &hooks{step: func(name string) error {
				if name == step {
					return errors.New("injected failure at " + name)
				}
				return nil
			}}
			p, _ := s.Plan(context.Background(), Request{Kind: Release, IDs: f.ids}, f.messages(id))
			r := s.Execute(context.Background(), p, nil)[0]
			if r.Err == nil || !strings.Contains(r.Outcome, "injected failure") {
				t.Fatalf("outcome %q", r.Outcome)
			}
			if w := where(t, f, id); w != "quarantine" {
				t.Errorf("message in %s", w)
			}
			if e := f.audit()[0]; e.Outcome == "ok" {
				t.Errorf("the failure was recorded as ok")
			}
			s.cfg.hooks = nil
			r = s.Execute(context.Background(), p, nil)[0]
			want := map[string]int{"pending": 0, "delivered": 1, "confirmed": 1}[step]
			if n := len(sink.Deliveries()); n != want || !errors.Is(r.Err, ErrAlreadyDone) {
				t.Errorf("retry: %d deliveries (want %d), %q", n, want, r.Outcome)
			}
		})
	}
}

// TestTwoOperatorsGoroutines: two operators release the same messages at
// once from two Services (two opens of the quarantine): each message goes
// out exactly once, and the loser is told who won.
func TestTwoOperatorsGoroutines(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(10, clean))
	sink := newSMTPSink(t)
	users := []string{"tanaka", "sato"}
	results := make([][]Result, 2)
	var wg sync.WaitGroup
	for i, user := range users {
		s := f.service(f.open(), user, sink.Addr)
		p, err := s.Plan(context.Background(), Request{Kind: Release, IDs: f.ids}, f.messages(f.ids...))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { results[i] = s.Execute(context.Background(), p, nil) })
	}
	wg.Wait()
	for j, id := range f.ids {
		a, b := results[0][j], results[1][j]
		winner, loser := a, b
		if a.Err != nil {
			winner, loser = b, a
		}
		wantBy := users[0]
		if winner == b {
			wantBy = users[1]
		}
		if winner.Err != nil || !errors.Is(loser.Err, ErrAlreadyDone) || !strings.Contains(loser.Outcome, "by "+wantBy) {
			t.Errorf("%s: %q / %q", id, a.Outcome, b.Outcome)
		}
	}
	if n := len(sink.Deliveries()); n != len(f.ids) {
		t.Errorf("%d deliveries for %d messages", n, len(f.ids))
	}
	if n := len(f.audit()); n != 2*len(f.ids) {
		t.Errorf("%d audit records, want %d", n, 2*len(f.ids))
	}
}

// TestTwoOperatorsProcesses: the same race between two processes.
func TestTwoOperatorsProcesses(t *testing.T) {
	f := newFixture(t, demo.FormatGzip, pick(1, clean))
	id := f.ids[0]
	sink := newSMTPSink(t)
	start := fmt.Sprint(time.Now().Add(500 * time.Millisecond).UnixMilli())
	outs := make([]string, 2)
	var wg sync.WaitGroup
	for i, user := range []string{"tanaka", "sato"} {
		cmd := f.child(t, user, sink.Addr, "", id)
		cmd.Env = append(cmd.Env, envStart+"="+start)
		wg.Go(func() {
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s: %v\n%s", user, err, out)
			}
			outs[i] = strings.TrimSpace(string(out))
		})
	}
	wg.Wait()
	ok, already := 0, 0
	for _, o := range outs {
		switch {
		case o == "ok":
			ok++
		case strings.HasPrefix(o, "already released"):
			already++
		}
	}
	if ok != 1 || already != 1 {
		t.Errorf("outcomes %q: want one ok and one already released", outs)
	}
	if n := len(sink.Deliveries()); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
	if w := where(t, f, id); w != "released" {
		t.Errorf("message in %s", w)
	}
}

// TestReleaseFilesAwayServedMessage: a release whose process died after
// recording every recipient as served, before the move (the state says
// so, the file is still in the quarantine), is completed by the next
// release, which sends nothing.
func TestReleaseFilesAwayServedMessage(t *testing.T) {
	f := newFixture(t, demo.FormatMaildir, pick(1, clean))
	id := f.ids[0]
	rcpt := header(f.raw(id), "X-Original-To")
	c, err := f.src.(mailsrc.Ledger).Claim(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	st := c.State()
	st.Releases = append(st.Releases, mailsrc.ReleaseRecord{Recipient: rcpt, By: "tanaka", At: time.Now()})
	st.Moved, st.MovedBy, st.MovedAt = mailsrc.MovedReleased, "tanaka", time.Now()
	if err := c.Save(st); err != nil {
		t.Fatal(err)
	}
	c.Close()
	sink := newSMTPSink(t)
	s := f.service(nil, "sato", sink.Addr)
	p, _ := s.Plan(context.Background(), Request{Kind: Release, IDs: f.ids}, f.messages(id))
	r := s.Execute(context.Background(), p, nil)[0]
	if !errors.Is(r.Err, ErrAlreadyDone) || !strings.Contains(r.Outcome, "already released to "+rcpt+" by tanaka") {
		t.Errorf("outcome %q", r.Outcome)
	}
	if w := where(t, f, id); w != "released" || len(sink.Deliveries()) != 0 {
		t.Errorf("message in %s, %d deliveries", w, len(sink.Deliveries()))
	}
}
