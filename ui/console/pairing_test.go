package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/console/dialog"
)

// ppapPair returns a demo ZIP mail and its password mail, analysed, with
// the pairing result set as PPAP pairing sets it, and an Open serving
// their raw bytes.
func ppapPair(t *testing.T) (zip, pw model.Message, password string, open func(context.Context, model.MessageID) (io.ReadCloser, error)) {
	t.Helper()
	samples := demo.Samples(demo.Options{})
	raw := map[model.MessageID][]byte{}
	var zs *demo.Sample
	for i := range samples {
		s := &samples[i]
		raw[model.MessageID(s.Name)] = s.Raw
		if zs == nil && s.Want.PasswordMail != "" && s.Want.Password != "" {
			zs = s
		}
	}
	if zs == nil {
		t.Fatal("the demo has no PPAP pair")
	}
	an := analysis.New(analysis.Config{})
	zip = an.Analyze(t.Context(), model.MessageID(zs.Name), bytes.NewReader(zs.Raw))
	pwID := model.MessageID(zs.Want.PasswordMail)
	pw = an.Analyze(t.Context(), pwID, bytes.NewReader(raw[pwID]))
	found := false
	for i := range zip.Attachments {
		if a := zip.Attachments[i].Archive; a != nil && a.Encrypted {
			a.Decrypted, a.PasswordSource, a.PasswordAttempts = true, pwID, 1
			a.Scan = &model.ScanResult{Engine: "clamd", Result: model.ScanClean}
			for j := range a.Entries {
				a.Entries[j].Decrypted = true
			}
			ppap.ApplyVerdict(&zip)
			ppap.NotePasswordMail(&pw, model.PasswordLink{Message: zip.ID, Attachment: i, Filename: zip.Attachments[i].Filename, SHA256: a.SHA256})
			found = true
			break
		}
	}
	if !found {
		t.Fatal("the demo ZIP mail has no encrypted archive")
	}
	open = func(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw[id])), nil
	}
	return zip, pw, zs.Want.Password, open
}

// TestPasswordOnlyOnRequest checks that the password is nowhere in the
// frame until P is pressed, is shown in the dialog then, and is gone —
// from the frame and from the model — once the dialog closes.
func TestPasswordOnlyOnRequest(t *testing.T) {
	zip, pw, password, open := ppapPair(t)
	cfg := testConfig(nil)
	stubOf(cfg).open = open
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: []model.Message{zip, pw}, done: true})
	selectID(t, m, zip.ID)
	pressAll(m, "enter")
	frame := ansi.Strip(m.View().Content)
	if strings.Contains(frame, password) {
		t.Fatal("the password is on screen before P")
	}
	if !strings.Contains(frame, "opened with the password from") || !strings.Contains(frame, string(pw.ID)) {
		t.Fatalf("the detail pane does not name the password mail:\n%s", frame)
	}
	cmd := pressAll(m, "P")
	d, ok := m.dialogs.Top().(*dialog.Password)
	if !ok || cmd == nil {
		t.Fatal("P did not open the password dialog")
	}
	if strings.Contains(ansi.Strip(m.View().Content), password) {
		t.Fatal("the password is shown before it was derived")
	}
	m.Update(cmd())
	if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "["+password+"]") {
		t.Fatalf("the password is not shown after P:\n%s", frame)
	}
	pressAll(m, "esc")
	if m.dialogs.Len() != 0 || d.Shown() {
		t.Fatal("the password outlived its dialog")
	}
	if strings.Contains(ansi.Strip(m.View().Content), password) {
		t.Fatal("the password is still on screen after closing")
	}

	// A late answer, for a dialog already closed, is dropped.
	cmd = pressAll(m, "P")
	pressAll(m, "esc")
	m.Update(cmd())
	if m.dialogs.Len() != 0 || strings.Contains(ansi.Strip(m.View().Content), password) {
		t.Fatal("a late password reached the screen")
	}

	// From the password mail, P shows the same password, and p jumps
	// back to the ZIP mail.
	selectID(t, m, pw.ID)
	cmd = pressAll(m, "P")
	m.Update(cmd())
	if !strings.Contains(ansi.Strip(m.View().Content), "["+password+"]") {
		t.Fatal("P on the password mail does not show the password")
	}
	pressAll(m, "esc", "p")
	if m.table.SelectedRow().ID() != zip.ID {
		t.Fatal("p on the password mail did not go to the ZIP mail")
	}
	pressAll(m, "p")
	if m.table.SelectedRow().ID() != pw.ID {
		t.Fatal("p on the ZIP mail did not go to the password mail")
	}
}

func TestPPAPBadges(t *testing.T) {
	base := func(scan *model.ScanResult, verdict model.AttachmentVerdict, risks []model.Risk) *model.Message {
		return &model.Message{Verdict: model.Verdict{Attachment: verdict}, Attachments: []model.Attachment{{
			Filename: "a.zip", Risks: risks,
			Archive: &model.Archive{Encrypted: true, Decrypted: true, PasswordSource: "pw", Scan: scan}}}}
	}
	tests := []struct {
		name          string
		msg           *model.Message
		compact, wide string
	}{
		{"clean", base(&model.ScanResult{Result: model.ScanClean}, model.AttachmentEncrypted, nil), "E>ok", "ENC>clean"},
		{"no scanner", base(nil, model.AttachmentEncrypted, nil), "E>ok", "ENC>clean"},
		{"not scanned", base(&model.ScanResult{Result: model.ScanNotScanned}, model.AttachmentEncrypted, nil), "E>ok?", "ENC>ok?"},
		{"risky inside", base(&model.ScanResult{Result: model.ScanClean}, model.AttachmentRisky, []model.Risk{model.RiskExecutable}), "E>RSK", "ENC>RISKY"},
		{"infected", base(&model.ScanResult{Result: model.ScanInfected, Signature: "Eicar"}, model.AttachmentRisky, nil), "E>VIR", "ENC>VIRUS"},
		{"not decrypted", &model.Message{Verdict: model.Verdict{Attachment: model.AttachmentEncrypted},
			Attachments: []model.Attachment{{Filename: "a.zip", Archive: &model.Archive{Encrypted: true}}}}, "ENC", "ENCRYPTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg.ID = "zip"
			m := loaded(t, 80, 24)
			deliver(m, scanBatchMsg{id: m.scan.id, msgs: []model.Message{*tt.msg}})
			m.table.SetFilter(model.Filter{Text: "a.zip"})
			for _, size := range [][2]int{{80, 24}, {200, 24}} {
				m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				want := tt.compact
				if size[0] == 200 {
					want = tt.wide
				}
				row := ansi.Strip(strings.Split(m.View().Content, "\n")[2])
				if !strings.Contains(row, " "+want+" ") {
					t.Errorf("%d columns: row %q lacks badge %q", size[0], row, want)
				}
			}
		})
	}
}
