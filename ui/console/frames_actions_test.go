package console

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui/app"
)

func isPolicyLoaded(msg tea.Msg) bool { _, ok := msg.(policyLoadedMsg); return ok }

// runFrame drives m through a real tea.Program at size: it waits for the
// scan (and the policy, when there is one), presses keys, waits for a
// message matching waitFor, presses final, and compares the frame with
// styles stripped to the golden file of the test.
func runFrame(t *testing.T, m *Model, size [2]int, keys []string, waitFor func(tea.Msg) bool, final []string) {
	t.Helper()
	waitPolicy := isPolicyLoaded
	if m.cfg.Policy == nil {
		waitPolicy = nil
	}
	scanned, policed, loaded := newSignal(isScanDone), newSignal(waitPolicy), newSignal(waitFor)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]),
		teatest.WithProgramOptions(tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			scanned.see(msg)
			policed.see(msg)
			loaded.see(msg)
			return msg
		})))
	scanned.wait(t)
	policed.wait(t)
	for _, k := range keys {
		tm.Send(press(k))
	}
	loaded.wait(t)
	for _, k := range final {
		tm.Send(press(k))
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final_ := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	frame := final_.View().Content
	checkFrame(t, frame, size[0], size[1])
	noInjectedControls(t, frame)
	golden.RequireEqual(t, []byte(ansi.Strip(frame)))
}

var frameSizes = [][2]int{{80, 24}, {160, 48}}

// seedPolicy writes exceptions in every state into the fixture's policy:
// one active and expiring in five days, one pending, one revoked, one
// expired, one active for months.
func seedPolicy(t *testing.T, f *actionFixture) {
	t.Helper()
	ps := f.config(t, "sato").Policy.(*app.Desk).Policy
	day := 24 * time.Hour
	tanaka, sato, suzuki := model.Operator{User: "tanaka"}, model.Operator{User: "sato"}, model.Operator{User: "suzuki"}
	var a, c, d, e int
	_, err := ps.Update(func(p *model.Policy) error {
		add := func(scope model.ExceptionScope, value string, kinds []model.ExceptionKind, reason string, by model.Operator, created time.Time, life time.Duration) int {
			e, err := p.Add(model.ExceptionRequest{Scope: scope, Value: value, Kinds: kinds, Reason: reason, Expires: created.Add(life)}, by, created)
			if err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		enc, risky, dmarc := model.KindEncryptedArchive, model.KindRiskyType, model.KindDMARCFail
		a = add(model.ScopeDomain, "partner.example", []model.ExceptionKind{enc}, "partner still sends PPAP, TICKET-3", tanaka, testNow.Add(-85*day), 90*day)
		add(model.ScopeAddress, "ap@supplier.example", []model.ExceptionKind{risky}, "signed installers from the supplier", tanaka, testNow.Add(-1*day), 90*day)
		c = add(model.ScopeDomain, "*.example.net", []model.ExceptionKind{dmarc, enc}, "broken forwarder", suzuki, testNow.Add(-40*day), 90*day)
		d = add(model.ScopeAddress, "old@vendor.example", []model.ExceptionKind{enc}, "project ended", tanaka, testNow.Add(-200*day), 30*day)
		e = add(model.ScopeDomain, "bank.example", []model.ExceptionKind{dmarc}, "bank's DMARC is misconfigured", suzuki, testNow.Add(-3*day), 180*day)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Approvals go through the audit log, as the console's do: one typed
	// into the file would be "unverified".
	approve := func(id int, at func(*model.Policy) time.Time) {
		p, err := ps.Load()
		if err != nil {
			t.Fatal(err)
		}
		when := at(&p)
		entry := model.NewAuditEntry(model.ActionExceptionApprove, sato, when)
		entry.ExceptionID = id
		if _, err := store.ChangePolicy(ps, f.auditPath, &entry, func(p *model.Policy) error {
			_, err := p.Approve(id, sato, when)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int{a, c, d} {
		approve(id, func(p *model.Policy) time.Time { return p.Find(id).Created.Add(time.Hour) })
	}
	approve(e, func(*model.Policy) time.Time { return testNow.Add(-2 * day) })
	if _, err := ps.Update(func(p *model.Policy) error {
		_, err := p.Revoke(c, suzuki, "forwarder fixed", testNow.Add(-10*day))
		return err
	}, nil); err != nil {
		t.Fatal(err)
	}
}

// TestActionFrames takes golden frames of the action dialogs and the
// exception view over the real fixture quarantine.
func TestActionFrames(t *testing.T) {
	steps := []struct {
		name    string
		user    string
		keys    []string
		waitFor func(tea.Msg) bool
		final   []string
	}{
		// All three marked: two released, one held by the rules.
		{name: "release_confirm", user: "tanaka", keys: []string{"*", "r"}, waitFor: isPlan},
		// One message: its recipients as a checklist.
		{name: "release_one", user: "tanaka", keys: []string{"j", "r"}, waitFor: isPlan},
		// An approver releasing a held message is asked for a reason.
		{name: "release_override", user: "sato", keys: []string{"G", "r"}, waitFor: isPlan},
		{name: "delete_confirm", user: "tanaka", keys: []string{"*", "d"}, waitFor: isPlan},
		// w once the detail pane has read the message back: the dialog
		// then opens at once.
		{name: "whitelist", user: "tanaka", keys: []string{"G"}, waitFor: isDetailOf(idOf(2)), final: []string{"w"}},
		{name: "exceptions", user: "sato", keys: []string{"E"}, waitFor: isPolicyLoaded, final: []string{"j"}},
	}
	for _, size := range frameSizes {
		for _, step := range steps {
			t.Run(fmt.Sprintf("%dx%d_%s", size[0], size[1], step.name), func(t *testing.T) {
				f := newActionFixture(t)
				seedPolicy(t, f)
				m := newModel(t.Context(), f.config(t, step.user), true)
				runFrame(t, m, size, step.keys, step.waitFor, step.final)
			})
		}
	}
}

// TestPPAPFrames takes golden frames of a PPAP pair from the demo: the
// ZIP mail's detail pane naming its password mail, and the password
// mail's naming the archive.
func TestPPAPFrames(t *testing.T) {
	for _, size := range frameSizes {
		for _, step := range []struct {
			name  string
			keys  []string
			final []string
		}{
			// Scrolled down to the pairing, below the headers.
			{"ppap_zip_detail", []string{"enter"}, repeat("J", 10)},
			{"ppap_password_detail", []string{"enter", "p"}, nil},
		} {
			t.Run(fmt.Sprintf("%dx%d_%s", size[0], size[1], step.name), func(t *testing.T) {
				zip, pw, _, open := ppapPair(t)
				cfg := testConfig([]model.Message{zip, pw})
				stubOf(cfg).open = open
				m := newModel(t.Context(), cfg, true)
				runFrame(t, m, size, step.keys, isHeaders, step.final)
			})
		}
	}
}
