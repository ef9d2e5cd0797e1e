package console

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/console/dialog"
)

// Getting things out: W saves the selected message or one attachment to
// a new file (never overwriting; the attachment's bytes as they came, so
// an encrypted ZIP stays encrypted), o pipes the raw message to $PAGER
// (or less) through tea.ExecProcess.

// saveReadyMsg brings what the save dialog offers.
type saveReadyMsg struct {
	seq   int
	id    model.MessageID
	parts []string
	err   error
}

// savedMsg is the outcome of a save.
type savedMsg struct {
	path string
	size int
	err  error
}

// pipeReadyMsg brings the raw message to hand to the pager.
type pipeReadyMsg struct {
	data []byte
	err  error
}

// pagerDoneMsg is the pager's exit.
type pagerDoneMsg struct{ err error }

// startSave reads the selected message's attachment list, then opens the
// save dialog.
func (m *Model) startSave() tea.Cmd {
	sel := m.table.SelectedRow()
	if sel == nil {
		return nil
	}
	m.saveSeq++
	ctx, open, seq, id := m.scan.ctx, m.cfg.opener(), m.saveSeq, sel.ID()
	return func() tea.Msg {
		raw, _, err := readMessage(ctx, open, id, rawLimit, false)
		if err != nil {
			return saveReadyMsg{seq: seq, id: id, err: err}
		}
		b, _ := app.DecodeBody(bytes.NewReader(raw))
		return saveReadyMsg{seq: seq, id: id, parts: b.Attachments}
	}
}

// handleSaveReady opens the dialog, suggesting a file named after the ID.
func (m *Model) handleSaveReady(msg saveReadyMsg) {
	if msg.seq != m.saveSeq {
		return
	}
	if msg.err != nil {
		m.setNotice("cannot read the message: "+msg.err.Error(), true)
		return
	}
	m.saveID = msg.id
	name := strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(string(msg.id)) + ".eml"
	m.dialogs.Push(dialog.NewSave(m.com, msg.parts, name))
}

// save writes the chosen part to res.Path in a command.
func (m *Model) save(res dialog.SaveTo) tea.Cmd {
	ctx, open, id := m.scan.ctx, m.cfg.opener(), m.saveID
	path := res.Path
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	return func() tea.Msg {
		raw, truncated, err := readMessage(ctx, open, id, 1<<40, false)
		if err == nil && truncated {
			err = fmt.Errorf("the message is too large to save whole")
		}
		data := raw
		if err == nil && res.Part >= 0 {
			data, err = app.ExtractPart(bytes.NewReader(raw), res.Part)
		}
		if err == nil {
			err = app.WriteNew(path, data)
		}
		return savedMsg{path: path, size: len(data), err: err}
	}
}

// handleSaved reports the save.
func (m *Model) handleSaved(msg savedMsg) {
	if msg.err != nil {
		m.setNotice("not saved: "+msg.err.Error(), true)
		return
	}
	m.setNotice(fmt.Sprintf("saved %d bytes to %s", msg.size, msg.path), false)
}

// startPipe reads the raw message for the pager.
func (m *Model) startPipe() tea.Cmd {
	sel := m.table.SelectedRow()
	if sel == nil {
		return nil
	}
	ctx, open, id := m.scan.ctx, m.cfg.opener(), sel.ID()
	return func() tea.Msg {
		data, _, err := readMessage(ctx, open, id, rawLimit, false)
		return pipeReadyMsg{data: data, err: err}
	}
}

// handlePipeReady runs $PAGER (default less) on the raw message; the
// console gives the terminal to it and takes it back after.
func (m *Model) handlePipeReady(msg pipeReadyMsg) tea.Cmd {
	if msg.err != nil {
		m.setNotice("cannot read the message: "+msg.err.Error(), true)
		return nil
	}
	getenv := m.cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	pager := getenv("PAGER")
	if pager == "" {
		pager = "less"
	}
	c := exec.Command("/bin/sh", "-c", pager)
	c.Stdin = bytes.NewReader(msg.data)
	return tea.ExecProcess(c, func(err error) tea.Msg { return pagerDoneMsg{err: err} })
}
