package console

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/ui/console/dialog"
)

// TestWhitelistAndApprove requests an exception from the console for the
// sender of the message with an executable, as tanaka; checks that
// tanaka (not an approver) cannot approve it and that the message is not
// covered while it is pending; approves it as sato; and checks that the
// message is then annotated, every change in the audit log.
func TestWhitelistAndApprove(t *testing.T) {
	f := newActionFixture(t)
	tanaka := loadedFixture(t, f, "tanaka", 120, 40)
	selectID(t, tanaka, idOf(2))
	pressAll(tanaka, "w")
	if _, ok := tanaka.dialogs.Top().(*dialog.Whitelist); !ok {
		t.Fatalf("w opened %T", tanaka.dialogs.Top())
	}
	frame := ansi.Strip(tanaka.View().Content)
	for _, want := range []string{"requested by tanaka", "(*) address ap@supplier.example", "[x] risky-type", "[ ] encrypted-archive", "90"} {
		if !strings.Contains(frame, want) {
			t.Errorf("whitelist dialog lacks %q:\n%s", want, frame)
		}
	}
	// The reason is required: confirming without it is refused.
	for !focused(tanaka, "Type") {
		pressAll(tanaka, "tab")
	}
	typeText(tanaka, "y")
	runCmd(t, tanaka, pressAll(tanaka, "enter"), nil)
	if !strings.Contains(ansi.Strip(tanaka.View().Content), "a reason is required") {
		t.Fatal("an exception without a reason was accepted")
	}
	for !focused(tanaka, "Reason") {
		pressAll(tanaka, "tab")
	}
	typeText(tanaka, "supplier sends signed installers, TICKET-7")
	for !focused(tanaka, "Type") {
		pressAll(tanaka, "tab")
	}
	runCmd(t, tanaka, pressAll(tanaka, "enter"), func(msg tea.Msg) bool { _, ok := msg.(policyChangedMsg); return ok })
	if tanaka.dialogs.Len() != 0 || !strings.Contains(tanaka.notice.text, "exception 1 requested") {
		t.Fatalf("no request made: notice %q", tanaka.notice.text)
	}
	e := tanaka.policy.Find(1)
	if e == nil || e.RequestedBy != "tanaka" || e.ApprovedBy != "" || e.Scope != model.ScopeAddress ||
		e.Value != "ap@supplier.example" || len(e.Kinds) != 1 || e.Kinds[0] != model.KindRiskyType ||
		!e.Expires.Equal(testNow.Add(model.DefaultExceptionLifetime)) {
		t.Fatalf("exception %+v", e)
	}
	if tanaka.table.RowByID(idOf(2)).Exception != nil {
		t.Fatal("a pending exception covers the message")
	}

	// The exception view lists it as pending; tanaka may not approve.
	runCmd(t, tanaka, pressAll(tanaka, "E"), nil)
	frame = ansi.Strip(tanaka.View().Content)
	if !strings.Contains(frame, "pending") || !strings.Contains(frame, "a ap@supplier.example") {
		t.Fatalf("exception view:\n%s", frame)
	}
	pressAll(tanaka, "a")
	if tanaka.dialogs.Len() != 0 || !strings.Contains(tanaka.notice.text, "not an approver") {
		t.Fatalf("a non-approver was offered to approve: %q", tanaka.notice.text)
	}

	// sato approves it, after typing y.
	sato := loadedFixture(t, f, "sato", 120, 40)
	runCmd(t, sato, pressAll(sato, "E"), nil)
	runCmd(t, sato, pressAll(sato, "a"), nil)
	runCmd(t, sato, pressAll(sato, "enter"), nil) // a stray enter: wrong word
	if sato.policy.Find(1).ApprovedBy != "" {
		t.Fatal("approved without typing y")
	}
	typeText(sato, "y")
	runCmd(t, sato, pressAll(sato, "enter"), func(msg tea.Msg) bool { _, ok := msg.(policyChangedMsg); return ok })
	if got := sato.policy.Status(sato.policy.Find(1), testNow); got != model.StatusActive {
		t.Fatalf("after approval the exception is %s (%s)", got, sato.notice.text)
	}
	if !strings.Contains(ansi.Strip(sato.View().Content), "active") {
		t.Fatal("the view does not show the exception active")
	}
	x := sato.table.RowByID(idOf(2)).Exception
	if x == nil || x.ID != 1 || !x.Allows() {
		t.Fatalf("the message is not annotated with the exception: %+v", x)
	}

	// Revoking asks too, then the message is held again.
	runCmd(t, sato, pressAll(sato, "x"), nil)
	typeText(sato, "no longer needed")
	pressAll(sato, "tab")
	typeText(sato, "y")
	runCmd(t, sato, pressAll(sato, "enter"), func(msg tea.Msg) bool { _, ok := msg.(policyChangedMsg); return ok })
	if got := sato.policy.Status(sato.policy.Find(1), testNow); got != model.StatusRevoked {
		t.Fatalf("after revoking the exception is %s", got)
	}
	if sato.table.RowByID(idOf(2)).Exception != nil {
		t.Fatal("a revoked exception still covers the message")
	}
	var actions []model.AuditAction
	for _, e := range readAudit(t, f.auditPath) {
		if e.Outcome == model.OutcomeOK {
			actions = append(actions, e.Action)
		}
	}
	want := []model.AuditAction{model.ActionExceptionAdd, model.ActionExceptionApprove, model.ActionExceptionRevoke}
	if strings.Join(strs(actions), ",") != strings.Join(strs(want), ",") {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// TestRequesterCannotApprove checks the two-person rule from the console:
// an approver who requested an exception cannot approve it.
func TestRequesterCannotApprove(t *testing.T) {
	f := newActionFixture(t)
	sato := loadedFixture(t, f, "sato", 120, 40)
	selectID(t, sato, idOf(2))
	pressAll(sato, "w")
	for !focused(sato, "Reason") {
		pressAll(sato, "tab")
	}
	typeText(sato, "vendor installers")
	pressAll(sato, "tab", "tab")
	typeText(sato, "y")
	runCmd(t, sato, pressAll(sato, "enter"), func(msg tea.Msg) bool { _, ok := msg.(policyChangedMsg); return ok })
	runCmd(t, sato, pressAll(sato, "E"), nil)
	runCmd(t, sato, pressAll(sato, "a"), nil)
	typeText(sato, "y")
	runCmd(t, sato, pressAll(sato, "enter"), func(msg tea.Msg) bool { _, ok := msg.(policyChangedMsg); return ok })
	if sato.policy.Find(1).ApprovedBy != "" {
		t.Fatal("the requester approved their own exception")
	}
	if !sato.notice.bad || !strings.Contains(sato.notice.text, "second person") {
		t.Fatalf("notice %q", sato.notice.text)
	}
}
