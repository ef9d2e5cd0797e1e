package console

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/console/dialog"
)

// damageSpill overwrites every byte of the spill file that lives in dir
// (reopened through /proc, since it has no name), as a failing disk or
// another process writing into it would.
func damageSpill(t *testing.T, dir string) {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc to find the spill file:", err)
	}
	for _, fd := range fds {
		path := filepath.Join("/proc/self/fd", fd.Name())
		target, err := os.Readlink(path)
		if err != nil || !strings.HasPrefix(target, filepath.Join(dir, "mxaudit-spill-")) {
			continue
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || fi.Size() == 0 {
			t.Fatalf("spill file: %v, %d bytes", err, fi.Size())
		}
		if _, err := f.WriteAt(bytes.Repeat([]byte("x"), int(fi.Size())), 0); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no spill file in", dir)
}

// TestDetailReadsBackTheSelectedMessage: the detail pane shows a loading
// state until the selected message has been read back, and an answer
// for a message the selection has left is dropped.
func TestDetailReadsBackTheSelectedMessage(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	msgs := sampleMessages()
	m.kept.Put(msgs...)
	m.Update(scanBatchMsg{id: m.scan.id, msgs: msgs, done: true})
	m.detailOpen = true
	m.relayout()
	first := m.table.SelectedRow().ID()
	if m.detail.Message() != nil || m.detail.Pending() != first {
		t.Fatalf("before the read: pane shows %v, pending %q", m.detail.Message(), m.detail.Pending())
	}
	if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "reading message "+string(first)) {
		t.Errorf("no loading state:\n%s", frame)
	}
	firstRead := m.loadDetail(m.table.SelectedRow()) // a read of the first row
	_, cmd := m.Update(press("j"))
	second := m.table.SelectedRow().ID()
	if second == first {
		t.Fatal("j did not move")
	}
	// The second row's answer first, then the first's, late.
	runCmd(t, m, cmd, func(msg tea.Msg) bool { _, ok := msg.(detailReadMsg); return ok })
	m.Update(firstRead())
	if got := m.detail.Message(); got == nil || got.ID != second {
		t.Fatalf("the pane shows %v, want %s", got, second)
	}
	want := msgs[0]
	for _, msg := range msgs {
		if msg.ID == second {
			want = msg
		}
	}
	if got := m.detail.Message(); got.Subject != want.Subject || got.MessageID != want.MessageID {
		t.Errorf("read back %q %q, want %q %q", got.Subject, got.MessageID, want.Subject, want.MessageID)
	}
}

// TestStaleSelectedReadIsDropped: a key that needs the whole message
// (y, copy the Message-ID) does nothing when its answer comes after the
// selection moved.
func TestStaleSelectedReadIsDropped(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.cfg.Getenv = func(k string) string { return map[string]string{"TERM": "xterm"}[k] }
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	msgs := sampleMessages()
	m.kept.Put(msgs...)
	m.Update(scanBatchMsg{id: m.scan.id, msgs: msgs, done: true})
	_, copyCmd := m.Update(press("y")) // the pane has not read the message yet
	if copyCmd == nil || m.lastCopy != "" {
		t.Fatalf("y copied %q before the message was read back", m.lastCopy)
	}
	m.Update(press("j"))
	m.Update(copyCmd())
	if m.lastCopy != "" {
		t.Fatalf("a stale answer copied %q", m.lastCopy)
	}
	// Answered while the selection stays, it copies.
	_, copyCmd = m.Update(press("y"))
	m.Update(copyCmd())
	sel := m.table.SelectedRow().ID()
	for _, msg := range msgs {
		if msg.ID == sel && m.lastCopy != strings.Trim(msg.MessageID, "<>") {
			t.Fatalf("copied %q, want the Message-ID of %s %q", m.lastCopy, sel, msg.MessageID)
		}
	}
}

// TestDamagedSpillFailsClosed damages the file the console keeps its
// messages in: the detail pane says the kept copy is damaged and shows
// no message, and a delete's dry run fails, so that nothing can be
// confirmed and nothing leaves the quarantine.
func TestDamagedSpillFailsClosed(t *testing.T) {
	f := newActionFixture(t)
	dir := t.TempDir()
	spill := app.NewSpill(dir)
	t.Cleanup(func() { spill.Close() })
	cfg := f.config(t, "tanaka")
	cfg.Kept = spill
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	runCmd(t, m, m.Init(), nil)
	if m.table.Total() != len(fixtureMails) {
		t.Fatalf("%d messages listed", m.table.Total())
	}
	damageSpill(t, dir)
	m.forgetDetail()
	m.detailOpen = true
	m.relayout()
	runCmd(t, m, m.selectionChanged(), func(msg tea.Msg) bool { _, ok := msg.(detailReadMsg); return ok })
	frame := ansi.Strip(m.View().Content)
	if m.detail.Message() != nil || !strings.Contains(frame, "kept copy is damaged") {
		t.Fatalf("damaged spill: pane shows %v:\n%s", m.detail.Message(), frame)
	}

	cmd := pressAll(m, "*", "d")
	var plan planMsg
	runCmd(t, m, cmd, func(msg tea.Msg) bool { p, ok := msg.(planMsg); plan = p; return ok })
	if plan.err == nil || !strings.Contains(plan.err.Error(), "damaged") || !strings.Contains(plan.err.Error(), "nothing was done") {
		t.Fatalf("dry run on a damaged spill: %v", plan.err)
	}
	d, ok := m.dialogs.Top().(*dialog.Action)
	if !ok {
		t.Fatalf("top dialog %T", m.dialogs.Top())
	}
	if !strings.Contains(ansi.Strip(d.View(120, 40)), "damaged") {
		t.Errorf("the dialog does not say why:\n%s", ansi.Strip(d.View(120, 40)))
	}
	typeText(m, "delete")
	runCmd(t, m, pressAll(m, "enter"), nil)
	if m.action.running || m.action.total != 0 {
		t.Fatal("an action ran without a plan")
	}
	for i := range fixtureMails {
		if !present(t, f, idOf(i)) {
			t.Fatalf("message %d left the quarantine", i)
		}
	}
	var kept model.Message
	if kept, _ = spill.Get(idOf(0)); kept.ID != "" {
		t.Fatalf("the damaged spill gave back %s", kept.ID)
	}
}

// readBack reads listed message id back whole, as the console's commands
// do (through the core's kept messages, with the row's exception).
func readBack(t *testing.T, m *Model, id model.MessageID) *model.Message {
	t.Helper()
	row := m.table.RowByID(id)
	if row == nil {
		t.Fatalf("%s is not listed", id)
	}
	msg, err := readRow(t.Context(), m.reader(), id, row.Exception)
	if err != nil {
		t.Fatal(err)
	}
	return &msg
}

// TestDegradedSpillIsSaid: when the file to keep messages in cannot be
// created (neither where asked nor in $TMPDIR), the scan's end says that
// they are kept in memory, and the views still read them back.
func TestDegradedSpillIsSaid(t *testing.T) {
	cfg := testConfig(sampleMessages())
	missing := filepath.Join(t.TempDir(), "missing")
	t.Setenv("TMPDIR", missing)
	cfg.Kept = app.NewSpill(missing)
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	runCmd(t, m, m.Init(), isScanDone)
	if !strings.Contains(m.notice.text, "kept in memory") || !m.notice.bad {
		t.Fatalf("notice %+v, want the spill's degradation", m.notice)
	}
	if got := readBack(t, m, m.table.SelectedRow().ID()); got.ID != m.table.SelectedRow().ID() {
		t.Fatalf("read back %s", got.ID)
	}
}
