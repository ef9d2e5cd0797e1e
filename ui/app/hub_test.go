package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/action"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// newTestHub writes the demo quarantine to a Maildir and starts a hub on
// it, offline, with a desk whose approvers are bob and dave and whose released
// mail goes to a Maildir. It waits for the first scan.
func newTestHub(t *testing.T) *Hub {
	t.Helper()
	h := newUnstartedHub(t, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h.Start(ctx)
	if err := h.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	return h
}

// newUnstartedHub is newTestHub before Start, polling the Maildir every
// poll.
func newUnstartedHub(t *testing.T, poll time.Duration) *Hub {
	t.Helper()
	dir := t.TempDir()
	a := openDemoMaildir(t, dir, poll)
	desk := &Desk{
		Policy:    store.NewPolicyStore(filepath.Join(dir, "policy.toml"), filepath.Join(dir, "audit.jsonl"), []string{"bob", "dave"}),
		AuditPath: filepath.Join(dir, "audit.jsonl"),
		Now:       time.Now().UTC(),
	}
	return NewHub(a, desk)
}

// openDemoMaildir writes the demo quarantine as a Maildir in dir/q and
// opens it offline, without PPAP or cache, polled every poll, releasing
// to dir/out; the test closes it.
func openDemoMaildir(t *testing.T, dir string, poll time.Duration) *App {
	t.Helper()
	q := filepath.Join(dir, "q")
	if err := demo.WriteMaildir(q, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Offline: true, NoPPAP: true, DeliverMaildir: filepath.Join(dir, "out"), Flags: Flags{NoCache: true}}
	a, err := Open(context.Background(), q, cfg, Options{PollInterval: poll})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func op(name, key string) model.Operator {
	return model.Operator{User: name, Key: key, SSHClient: "192.0.2.1"}
}

// scanIDs runs a view's Scan and returns the IDs it emitted.
func scanIDs(t *testing.T, v *View) []model.MessageID {
	t.Helper()
	var ids []model.MessageID
	err := v.Scan(context.Background(), func(m model.Message) error {
		ids = append(ids, m.ID)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// releasable finds a message the release rules let go without an
// exception.
func releasable(t *testing.T, s *Session) model.Message {
	t.Helper()
	for _, id := range scanIDs(t, s.Hub.View()) {
		m, _, _, err := s.Hub.message(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Actions.Plan(context.Background(), action.Request{Kind: action.Release, IDs: []model.MessageID{id}}, []*model.Message{&m})
		if err == nil && p.Blocked == 0 && len(p.Items) == 1 {
			return m
		}
	}
	t.Fatal("no releasable message in the demo")
	return model.Message{}
}

func TestHubViewsShareOneListing(t *testing.T) {
	h := newTestHub(t)
	a, b := h.View(), h.View()
	defer a.Close()
	defer b.Close()
	ia, ib := scanIDs(t, a), scanIDs(t, b)
	if len(ia) == 0 || len(ia) != h.Len() || len(ib) != len(ia) {
		t.Fatalf("views listed %d and %d messages, the hub %d", len(ia), len(ib), h.Len())
	}
}

// TestViewFollowsRunningScan: views that join while the one scan runs
// get every message once, in the hub's order.
func TestViewFollowsRunningScan(t *testing.T) {
	h := newUnstartedHub(t, time.Hour)
	views := []*View{h.View(), h.View(), h.View()}
	got := make([][]model.MessageID, len(views))
	var wg sync.WaitGroup
	for i, v := range views {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = scanIDs(t, v)
		}()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.Start(ctx)
	wg.Wait()
	if err := h.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var want []model.MessageID
	for _, r := range h.rows {
		want = append(want, r.ID())
	}
	for i, ids := range got {
		if strings.Join(idStrings(ids), ",") != strings.Join(idStrings(want), ",") {
			t.Errorf("view %d listed %d messages, the hub %d, or in another order", i, len(ids), len(want))
		}
		views[i].Close()
	}
}

func idStrings(ids []model.MessageID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// TestHubArrivals: a message that arrives in the Maildir is analysed
// once by the hub and handed to every view.
func TestHubArrivals(t *testing.T) {
	h := newUnstartedHub(t, 50*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.Start(ctx)
	views := []*View{h.View(), h.View()}
	added := make(chan model.MessageID, 4)
	for _, v := range views {
		defer v.Close()
		before := len(scanIDs(t, v))
		if before != h.Len() {
			t.Fatalf("view listed %d, hub %d", before, h.Len())
		}
		go v.Watch(ctx, nil, func(c mailsrc.Change) {
			if c.Kind == mailsrc.Added {
				added <- c.IDs[0]
			}
		})
	}
	raw := demo.Samples(demo.Options{Seed: 7})[0].Raw
	q := h.App().Spec()
	if err := os.WriteFile(filepath.Join(q, "new", "1800000000.M1P1.arrival"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, v := range views {
		select {
		case id := <-added:
			msgs, err := v.Analyze(ctx, []model.MessageID{id})
			if err != nil || len(msgs) != 1 || msgs[0].Subject == "" {
				t.Errorf("view %d: Analyze(%s) = %d messages, %v", i, id, len(msgs), err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("view %d was not told of the arrival", i)
		}
	}
}

// TestHubBroadcastsActions: alice's release leaves bob's list with a
// note naming her, and the audit record names her key.
func TestHubBroadcastsActions(t *testing.T) {
	h := newTestHub(t)
	alice, bob := h.Session(op("alice", "SHA256:alice")), h.Session(op("bob", "SHA256:bob"))
	defer alice.Close()
	defer bob.Close()
	scanIDs(t, bob.View)
	changes := make(chan mailsrc.Change, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go bob.View.Watch(ctx, nil, func(c mailsrc.Change) { changes <- c })

	m := releasable(t, alice)
	p, err := alice.Actions.Plan(ctx, action.Request{Kind: action.Release, IDs: []model.MessageID{m.ID}}, []*model.Message{&m})
	if err != nil {
		t.Fatal(err)
	}
	if res := alice.Actions.Execute(ctx, p, nil); len(res) != 1 || res[0].Err != nil {
		t.Fatalf("release: %+v", res)
	}
	select {
	case c := <-changes:
		if c.Kind != mailsrc.Removed || len(c.IDs) != 1 || c.IDs[0] != m.ID || c.Done != "released by alice" {
			t.Errorf("bob saw %+v", c)
		}
	case <-time.After(time.Second):
		t.Fatal("bob did not see alice's release within a second")
	}
	entries, err := store.ReadAuditLog(alice.Desk.AuditPath)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Operator != "alice" || last.Key != "SHA256:alice" || last.SSHClient != "192.0.2.1" {
		t.Errorf("audit record %+v", last)
	}
}

// TestSameMessageTwice: two operators release the same message at once;
// exactly one succeeds, and the other is told who did it.
func TestSameMessageTwice(t *testing.T) {
	h := newTestHub(t)
	alice, bob := h.Session(op("alice", "SHA256:a")), h.Session(op("bob", "SHA256:b"))
	defer alice.Close()
	defer bob.Close()
	m := releasable(t, alice)
	req := action.Request{Kind: action.Release, IDs: []model.MessageID{m.ID}}
	var wg sync.WaitGroup
	results := make([][]action.Result, 2)
	for i, s := range []*Session{alice, bob} {
		p, err := s.Actions.Plan(context.Background(), req, []*model.Message{&m})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.Actions.Execute(context.Background(), p, nil)
		}()
	}
	wg.Wait()
	ok := 0
	for i, r := range results {
		switch {
		case len(r) == 1 && r[0].Err == nil:
			ok++
		case len(r) == 1 && errors.Is(r[0].Err, action.ErrAlreadyDone):
			// The loser is told who won.
			winner := []string{"bob", "alice"}[i]
			if !strings.Contains(r[0].Outcome, winner) {
				t.Errorf("the loser was told %q, which does not name %s", r[0].Outcome, winner)
			}
		default:
			t.Errorf("unexpected results %+v", r)
		}
	}
	if ok != 1 {
		t.Fatalf("%d releases succeeded, want exactly 1: %+v", ok, results)
	}
}

// TestViewerCannotAct: a viewer's session has no action service, and
// every policy change it tries is refused before the file is touched.
func TestViewerCannotAct(t *testing.T) {
	h := newTestHub(t)
	viewer := op("carol", "SHA256:c")
	viewer.ReadOnly = true
	s := h.Session(viewer)
	defer s.Close()
	if s.Actions != nil || !strings.Contains(s.ActionsUnavailable, "viewer") {
		t.Fatalf("viewer got actions %v (%q)", s.Actions, s.ActionsUnavailable)
	}
	req := model.ExceptionRequest{Scope: model.ScopeDomain, Value: "example.com", Kinds: []model.ExceptionKind{model.KindDMARCFail}, Reason: "test"}
	tests := []struct {
		name   string
		change func(p *model.Policy) error
	}{
		{"request", func(p *model.Policy) error { _, err := p.Add(req, viewer, time.Now()); return err }},
		{"approve", func(p *model.Policy) error { _, err := p.Approve(1, viewer, time.Now()); return err }},
		{"revoke", func(p *model.Policy) error { _, err := p.Revoke(1, viewer, "x", time.Now()); return err }},
		{"anything", func(*model.Policy) error { return nil }},
	}
	for _, tt := range tests {
		entry := model.NewAuditEntry(model.ActionExceptionAdd, viewer, time.Now())
		if _, err := s.Desk.Change(&entry, tt.change); !errors.Is(err, model.ErrReadOnly) {
			t.Errorf("%s: err = %v, want ErrReadOnly", tt.name, err)
		}
		var p model.Policy
		if err := tt.change(&p); tt.name != "anything" && !errors.Is(err, model.ErrReadOnly) {
			t.Errorf("%s on the model: err = %v, want ErrReadOnly", tt.name, err)
		}
	}
	if entries, _ := store.ReadAuditLog(s.Desk.AuditPath); len(entries) != 0 {
		t.Errorf("the viewer's attempts wrote %d audit records", len(entries))
	}
}

// TestSelfApprovalAcrossKeys: the two-person rule compares names, so a
// second key of the requester's name cannot approve.
func TestSelfApprovalAcrossKeys(t *testing.T) {
	h := newTestHub(t)
	req := model.ExceptionRequest{Scope: model.ScopeDomain, Value: "example.com", Kinds: []model.ExceptionKind{model.KindDMARCFail}, Reason: "test"}
	requester := h.Session(op("bob", "SHA256:laptop"))
	defer requester.Close()
	entry := model.NewAuditEntry(model.ActionExceptionAdd, requester.Operator, time.Now())
	if _, err := requester.Desk.Change(&entry, func(p *model.Policy) error {
		_, err := p.Add(req, requester.Operator, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		approver model.Operator
		ok       bool
	}{
		{op("bob", "SHA256:desktop"), false}, // same person, other key
		{op("BOB", "SHA256:phone"), false},
		{op("alice", "SHA256:alice"), false}, // not an approver
		{op("dave", "SHA256:dave"), true},    // a second person
	}
	for _, tt := range tests {
		s := h.Session(tt.approver)
		e := model.NewAuditEntry(model.ActionExceptionApprove, tt.approver, time.Now())
		_, err := s.Desk.Change(&e, func(p *model.Policy) error {
			_, err := p.Approve(1, tt.approver, time.Now())
			return err
		})
		if (err == nil) != tt.ok {
			t.Errorf("%s with %s: err = %v", tt.approver.User, tt.approver.Key, err)
		}
		s.Close()
	}
}

// TestDrain: a shutdown refuses new actions and waits for the running
// ones.
func TestDrain(t *testing.T) {
	h := NewHub(nil, nil)
	if !h.beginAction() {
		t.Fatal("an action was refused before the drain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.Drain(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Drain returned %v while an action ran", err)
	}
	if h.beginAction() {
		t.Fatal("a new action was let in during the drain")
	}
	done := make(chan error, 1)
	go func() { done <- h.Drain(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	h.endAction()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("Drain did not return once the action ended")
	}
}
