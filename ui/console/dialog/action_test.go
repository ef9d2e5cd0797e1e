package dialog

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/console/keys"
	"mxaudit/ui/console/styles"
)

func testCommon() *common.Common {
	return &common.Common{Styles: styles.New(true, true), Keys: keys.Default(), Width: 80, Height: 24}
}

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// TestReleaseFormKeepsFieldsOnInvalidAddress is defect 2 of issue 15: an
// invalid copy address is refused under its field, the fields and the
// focus stay, no dry run is asked for, and correcting it plans again.
func TestReleaseFormKeepsFieldsOnInvalidAddress(t *testing.T) {
	d := NewAction(testCommon(), action.Release, 1, false)
	d.SetPlan(action.Plan{Request: action.Request{Kind: action.Release, IDs: []model.MessageID{"m1"}},
		Items: []action.Item{{Message: &model.Message{ID: "m1"}, Original: []string{"a@example.com"}}}, Summary: "release 1 message"}, nil)
	d.form.focusOn(d.copyTo)
	for _, r := range "INC-43" {
		if res, _ := d.Update(keyPress(string(r))); res != nil {
			t.Fatalf("typing answered %#v", res)
		}
	}
	for _, k := range []string{"tab", "enter"} {
		res, closed := d.Update(keyPress(k))
		if res != nil || closed {
			t.Fatalf("%s with an invalid address answered %#v, closed %v", k, res, closed)
		}
		if d.form.focused() != d.copyTo {
			t.Fatalf("%s moved the focus away from the invalid field", k)
		}
	}
	view := ansi.Strip(d.View(80, 24))
	for _, want := range []string{"Recipients", "Send a copy to", "INC-43", "not of the form local@domain", "Type y"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	if i, j := strings.Index(view, "INC-43"), strings.Index(view, "not of the form"); j < i {
		t.Errorf("the error is not under the field:\n%s", view)
	}
	// Correct it: the error goes, and leaving the field plans again.
	for range "INC-43" {
		d.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	for _, r := range "inc43@example.com" {
		d.Update(keyPress(string(r)))
	}
	res, _ := d.Update(keyPress("tab"))
	rp, ok := res.(Replan)
	if !ok || len(rp.Request.CopyTo) != 1 || len(rp.Request.IDs) != 1 {
		t.Fatalf("a valid address answered %#v", res)
	}
	if strings.Contains(ansi.Strip(d.View(80, 24)), "not of the form") {
		t.Error("the error stayed after the correction")
	}
}

// TestReleaseFormSurvivesFailedDryRun: a dry run that fails keeps the
// fields on screen, so the operator can correct the request.
func TestReleaseFormSurvivesFailedDryRun(t *testing.T) {
	d := NewAction(testCommon(), action.Release, 1, false)
	d.SetPlan(action.Plan{Request: action.Request{Kind: action.Release, IDs: []model.MessageID{"m1"}},
		Items: []action.Item{{Message: &model.Message{ID: "m1"}, Original: []string{"a@example.com"}}}}, nil)
	d.SetPlan(action.Plan{}, errString("relay refused"))
	view := ansi.Strip(d.View(80, 24))
	for _, want := range []string{"relay refused", "Send a copy to", "Type y"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestDeleteDialogNamesTheMessages is defect 7 of issue 15: the dialog
// names what it acts on, subject and ID, the first few and a count.
func TestDeleteDialogNamesTheMessages(t *testing.T) {
	var msgs []*model.Row
	for i, s := range []string{"Invoice 4411", "会議資料", "Weekly offers", "Fourth", "Fifth"} {
		r := model.NewRow(&model.Message{ID: model.MessageID("cur/000" + string(rune('1'+i))), Subject: s})
		msgs = append(msgs, &r)
	}
	d := NewAction(testCommon(), action.Delete, len(msgs), false).WithNames(NameLines(msgs))
	view := ansi.Strip(d.View(80, 24))
	for _, want := range []string{"“Invoice 4411” [cur/0001]", "“会議資料” [cur/0002]", "[cur/0003]", "… and 2 more"} {
		if !strings.Contains(view, want) {
			t.Errorf("the dialog lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "Fourth") {
		t.Errorf("the dialog lists more than three:\n%s", view)
	}
}
