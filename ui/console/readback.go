package console

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

// Reading back: the table keeps a compact row of every message
// (model.Row), not the message. The full analysed message is kept by the
// core (Config.Kept, an app.Spill on disk; under "mxaudit serve" the
// hub's shared listing) and read back in a command whenever a view or an
// action needs it whole: the detail pane, the clipboard's Message-ID and
// sender, the PPAP keys, verify, the exception request and the dry run
// of a release or delete. Every request carries a number; an answer
// whose number is not the latest, or whose message is no longer the
// selected one, is stale and dropped. A read that fails (a damaged kept
// copy is app.ErrSpillDamaged) is said so, never replaced by another
// message.

type (
	// detailReadMsg carries the selected message, read back whole for
	// the detail pane's request seq.
	detailReadMsg struct {
		seq int
		id  model.MessageID
		msg model.Message
		err error
	}
	// selectedReadMsg carries the selected message, read back whole for
	// the key whose request is seq (withSelected).
	selectedReadMsg struct {
		seq int
		id  model.MessageID
		msg model.Message
		err error
	}
)

// readState is what the root model knows of its read-backs.
type readState struct {
	// detailSeq numbers the detail pane's reads; detailWant is the
	// message the pane shows or waits for.
	detailSeq  int
	detailWant model.MessageID
	// seq numbers withSelected's reads; then is what the latest one is
	// for, what names it in a notice.
	seq  int
	then func(*model.Message) tea.Cmd
	what string
}

// reader is the function commands read messages back with: the
// console's own kept messages first, then the shared source's. It never
// reads the model.
func (m *Model) reader() func(context.Context, model.MessageID) (model.Message, error) {
	kept := m.kept
	shared, _ := m.cfg.Source.(SharedMessages)
	return func(ctx context.Context, id model.MessageID) (model.Message, error) {
		msg, err := kept.Message(ctx, id)
		if shared != nil && errors.Is(err, app.ErrNotSpilled) {
			msg, err = shared.Message(ctx, id)
		}
		if err == nil && msg.ID != id {
			// The kept copy checks this itself; a shared source may not.
			err = fmt.Errorf("%s: %w", id, app.ErrSpillDamaged)
		}
		return msg, err
	}
}

// readRow reads row r's message back, with the exception the console
// annotated it with (the row's: the kept copy was put before the policy
// was applied, and a later policy change renews only the row). It is
// called in a command; exc is read from the row beforehand, in Update.
func readRow(ctx context.Context, read func(context.Context, model.MessageID) (model.Message, error),
	id model.MessageID, exc *model.ExceptionMatch) (model.Message, error) {
	msg, err := read(ctx, id)
	if err != nil {
		return model.Message{}, err
	}
	msg.Exception = exc
	return msg, nil
}

// readBackError is what a failed read-back tells the operator.
func readBackError(id model.MessageID, err error) string {
	why := err.Error()
	if errors.Is(err, app.ErrSpillDamaged) {
		why = "its kept copy is damaged (the file mxaudit keeps analysed messages in was changed, or the disk is failing)"
	}
	return "cannot read message " + termtext.Sanitize(string(id)) + " back: " + why
}

// syncDetail brings the detail pane to the selected row: when the pane
// already holds its message it renews only the exception (a policy
// change), else it shows the pane's loading state and returns the
// command that reads the message back.
func (m *Model) syncDetail() tea.Cmd {
	row := m.table.SelectedRow()
	shown := m.detail.Message()
	switch {
	case row == nil:
		m.read.detailSeq++ // a read on its way is stale now
		m.read.detailWant = ""
		if shown != nil || m.detail.Pending() != "" {
			m.detail.SetMessage(nil)
		}
		return nil
	case shown != nil && shown.ID == row.ID():
		if shown.Exception != row.Exception {
			cp := *shown
			cp.Exception = row.Exception
			m.detail.SetMessage(&cp)
		}
		return nil
	case m.read.detailWant == row.ID():
		return nil // on its way, or its failure is shown
	case m.scan.ahead[row.ID()]:
		// A row ahead of the scan's check: read once the scan's own
		// row takes its place (dropAhead).
		m.read.detailSeq++
		m.read.detailWant = ""
		if m.detail.Pending() != row.ID() {
			m.detail.SetPending(row.ID(), "")
		}
		return nil
	}
	return m.loadDetail(row)
}

// loadDetail starts reading row's message back for the detail pane.
func (m *Model) loadDetail(row *model.Row) tea.Cmd {
	m.read.detailSeq++
	m.read.detailWant = row.ID()
	m.detail.SetPending(row.ID(), "")
	ctx, read, seq, id, exc := m.ctx, m.reader(), m.read.detailSeq, row.ID(), row.Exception
	return func() tea.Msg {
		msg, err := readRow(ctx, read, id, exc)
		return detailReadMsg{seq: seq, id: id, msg: msg, err: err}
	}
}

// forgetDetail makes the detail pane read the selected message again:
// the message under its ID was replaced (a reload, a verification).
func (m *Model) forgetDetail() {
	m.read.detailSeq++
	m.read.detailWant = ""
	m.detail.SetMessage(nil)
}

// handleDetailRead shows a message read back for the detail pane, or
// why it could not be.
func (m *Model) handleDetailRead(msg detailReadMsg) tea.Cmd {
	if msg.seq != m.read.detailSeq || msg.id != m.read.detailWant {
		return nil // the selection moved on meanwhile
	}
	if msg.err != nil {
		if errors.Is(msg.err, context.Canceled) {
			return nil
		}
		m.detail.SetPending(msg.id, readBackError(msg.id, msg.err))
		return nil
	}
	m.detail.SetMessage(&msg.msg)
	return m.maybeLoadHeaders()
}

// withSelected calls do with the selected message whole: at once when
// the detail pane holds it, else once it has been read back (what names
// the purpose in the notice that says so, or why it failed). A later
// call replaces a pending one, and the answer is dropped when the
// selection has moved meanwhile.
func (m *Model) withSelected(what string, do func(*model.Message) tea.Cmd) tea.Cmd {
	row := m.table.SelectedRow()
	if row == nil {
		return nil
	}
	if shown := m.detail.Message(); shown != nil && shown.ID == row.ID() && shown.Exception == row.Exception {
		return do(shown)
	}
	m.read.seq++
	m.read.then, m.read.what = do, what
	ctx, read, seq, id, exc := m.ctx, m.reader(), m.read.seq, row.ID(), row.Exception
	return func() tea.Msg {
		msg, err := readRow(ctx, read, id, exc)
		return selectedReadMsg{seq: seq, id: id, msg: msg, err: err}
	}
}

// handleSelectedRead runs what withSelected asked for, if the answer is
// the latest and its message still the selected one.
func (m *Model) handleSelectedRead(msg selectedReadMsg) tea.Cmd {
	row := m.table.SelectedRow()
	if msg.seq != m.read.seq || m.read.then == nil || row == nil || row.ID() != msg.id {
		return nil
	}
	do, what := m.read.then, m.read.what
	m.read.then = nil
	if msg.err != nil {
		if !errors.Is(msg.err, context.Canceled) {
			m.setNotice(readBackError(msg.id, msg.err)+" (to "+what+")", true)
		}
		return nil
	}
	return do(&msg.msg)
}
