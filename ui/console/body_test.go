package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
)

// isoMail is a message with an ISO-2022-JP body ("お見積書を送ります。")
// and a ZIP attachment.
const isoMail = "From: a@example.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$*8+@Q=q$rAw$j$^$9!#\x1b(B\r\n" +
	"--b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"q.zip\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n--b--\r\n"

// TestBodyView: b opens the decoded body, Japanese included, with the
// attachments listed, at 80×24.
func TestBodyView(t *testing.T) {
	cfg := testConfig([]model.Message{{ID: "iso", Subject: "見積", Date: at(20, 9, 0)}})
	stubOf(cfg).open = func(context.Context, model.MessageID) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader([]byte(isoMail))), nil
	}
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	runCmd(t, m, m.Init(), isScanDone)
	runCmd(t, m, pressAll(m, "b"), func(msg tea.Msg) bool { _, ok := msg.(viewerLoadedMsg); return ok })
	frame := ansi.Strip(m.View().Content)
	for _, want := range []string{"Body: 見積", "お見積書を送ります。", "q.zip (application/zip, 4 bytes)"} {
		if !strings.Contains(frame, want) {
			t.Errorf("the body view lacks %q:\n%s", want, frame)
		}
	}
}

// TestViewerSearch: "/" in a viewer types a word, enter goes to it, n
// and N step through the matches, and q is part of the word while typed.
func TestViewerSearch(t *testing.T) {
	var raw strings.Builder
	raw.WriteString("Subject: long\r\n\r\n")
	for i := range 100 {
		if i%30 == 29 {
			raw.WriteString("the quarantine needle is here\r\n")
		} else {
			raw.WriteString("filler line\r\n")
		}
	}
	cfg := testConfig([]model.Message{{ID: "long", Subject: "long", Date: at(20, 9, 0)}})
	stubOf(cfg).open = func(context.Context, model.MessageID) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(raw.String())), nil
	}
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	runCmd(t, m, m.Init(), isScanDone)
	runCmd(t, m, pressAll(m, "R"), func(msg tea.Msg) bool { _, ok := msg.(viewerLoadedMsg); return ok })
	pressAll(m, "/", "q", "u", "a", "r", "enter")
	if m.screen != screenViewer {
		t.Fatal("q in the search word closed the viewer")
	}
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "/quar 1/3") || !strings.Contains(strings.Split(frame, "\n")[2], "needle") {
		t.Fatalf("after the search:\n%s", frame)
	}
	pressAll(m, "n", "n")
	if !strings.Contains(ansi.Strip(m.View().Content), "/quar 3/3") {
		t.Errorf("n n:\n%s", ansi.Strip(m.View().Content))
	}
	pressAll(m, "N", "N", "N")
	if !strings.Contains(ansi.Strip(m.View().Content), "/quar 3/3") {
		t.Errorf("N wraps around:\n%s", ansi.Strip(m.View().Content))
	}
}

// TestSaveAttachment: W offers the message and its attachments, writes
// the chosen one to a new file, and refuses to overwrite it.
func TestSaveAttachment(t *testing.T) {
	cfg := testConfig([]model.Message{{ID: "iso", Subject: "見積", Date: at(20, 9, 0)}})
	stubOf(cfg).open = func(context.Context, model.MessageID) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader([]byte(isoMail))), nil
	}
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	runCmd(t, m, m.Init(), isScanDone)
	path := t.TempDir() + "/q.zip"
	save := func() {
		runCmd(t, m, pressAll(m, "W"), func(msg tea.Msg) bool { _, ok := msg.(saveReadyMsg); return ok })
		if !strings.Contains(ansi.Strip(m.View().Content), "q.zip (application/zip, 4 bytes)") {
			t.Fatalf("the save dialog does not offer the attachment:\n%s", ansi.Strip(m.View().Content))
		}
		pressAll(m, "tab", "j", "space", "tab", "ctrl+u")
		for _, r := range path {
			pressAll(m, string(r))
		}
		runCmd(t, m, pressAll(m, "enter"), func(msg tea.Msg) bool { _, ok := msg.(savedMsg); return ok })
	}
	save()
	if !strings.Contains(m.notice.text, "saved 4 bytes to "+path) {
		t.Fatalf("notice %q", m.notice.text)
	}
	save()
	if !m.notice.bad || !strings.Contains(m.notice.text, "already exists") {
		t.Fatalf("overwrite: notice %q", m.notice.text)
	}
}

// TestHeadersToggleDecoded: H inside the header viewer switches between
// the values as sent and decoded.
func TestHeadersToggleDecoded(t *testing.T) {
	raw := "Subject: =?ISO-2022-JP?B?GyRCOCsbKEI=?=\r\n =?ISO-2022-JP?B?GyRCQFEbKEI=?=\r\nFrom: a@example.jp\r\n\r\nbody\r\n"
	cfg := testConfig([]model.Message{{ID: "h", Subject: "見積", Date: at(20, 9, 0)}})
	stubOf(cfg).open = func(context.Context, model.MessageID) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(raw)), nil
	}
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	runCmd(t, m, m.Init(), isScanDone)
	runCmd(t, m, pressAll(m, "H"), func(msg tea.Msg) bool { _, ok := msg.(viewerLoadedMsg); return ok })
	if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "=?ISO-2022-JP?B?") {
		t.Fatalf("raw headers:\n%s", frame)
	}
	pressAll(m, "H")
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "Subject: 見積") || !strings.Contains(frame, "Headers (decoded)") {
		t.Fatalf("decoded headers:\n%s", frame)
	}
	pressAll(m, "H")
	if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "=?ISO-2022-JP?B?") {
		t.Fatalf("back to raw:\n%s", frame)
	}
}
