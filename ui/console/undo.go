package console

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
)

// Undoing a delete: U moves the messages of the last delete back from
// the trash (audited as "restore") and puts them back in the list.

// Restorer moves deleted messages back from the trash; the action
// service of a local quarantine is one.
type Restorer interface {
	Restore(ctx context.Context, ids []model.MessageID) []action.Result
}

// restoredMsg is the outcome of an undo.
type restoredMsg struct {
	results []action.Result
	msgs    []model.Message
}

// rememberDeleted remembers the messages a delete moved to the trash,
// for U; it runs before they leave the table. Their full copies stay
// kept (Config.Kept), from where U reads them back.
func (m *Model) rememberDeleted(kind action.Kind, gone map[model.MessageID]bool) {
	if kind != action.Delete || len(gone) == 0 {
		return
	}
	m.lastDeleted = m.lastDeleted[:0]
	m.table.EachRow(func(r *model.Row) {
		if gone[r.ID()] {
			m.lastDeleted = append(m.lastDeleted, r.ID())
		}
	})
}

// undoDelete restores the last deleted messages in a command.
func (m *Model) undoDelete() tea.Cmd {
	r, ok := m.cfg.Actions.(Restorer)
	switch {
	case !ok:
		m.setNotice("this console cannot restore from the trash", true)
		return nil
	case len(m.lastDeleted) == 0:
		m.setNotice("nothing to undo: no delete in this session (mxaudit restore SOURCE ID... restores older ones)", true)
		return nil
	case m.action.running:
		m.setNotice("an action is still running: wait for it to finish", true)
		return nil
	}
	ids := m.lastDeleted
	m.lastDeleted = nil
	ctx, read := m.ctx, m.reader()
	m.setNotice(fmt.Sprintf("restoring %s from the trash…", plural(len(ids), "message")), false)
	return func() tea.Msg {
		results := r.Restore(ctx, ids)
		// The list shows what was restored as it was analysed: read
		// back from where the console keeps it. One that cannot be read
		// is restored but not listed, and said so.
		var msgs []model.Message
		for i := range results {
			if results[i].Err != nil {
				continue
			}
			msg, err := read(ctx, results[i].ID)
			if err != nil {
				results[i].Err, results[i].Outcome = err, "restored, but not listed: "+readBackError(results[i].ID, err)
				continue
			}
			msgs = append(msgs, msg)
		}
		return restoredMsg{results: results, msgs: msgs}
	}
}

// handleRestored puts the restored messages back in the list.
func (m *Model) handleRestored(msg restoredMsg) tea.Cmd {
	ok := map[model.MessageID]bool{}
	var failed []string
	for _, r := range msg.results {
		if r.Err == nil {
			ok[r.ID] = true
		} else {
			failed = append(failed, string(r.ID)+": "+r.Outcome)
		}
	}
	unlisted := m.unlisted(messageIDs(msg.msgs))
	var back []model.Message
	for _, x := range msg.msgs {
		if ok[x.ID] && unlisted[x.ID] {
			back = append(back, x)
		}
	}
	m.annotate(back)
	m.table.Append(back...)
	text := fmt.Sprintf("restored %s from the trash", plural(len(ok), "message"))
	if len(failed) > 0 {
		text += fmt.Sprintf("; %d not restored: %s", len(failed), failed[0])
	}
	m.setNotice(text, len(failed) > 0)
	return tea.Batch(m.selectionChanged(), m.statsChanged())
}
