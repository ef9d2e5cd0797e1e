package console

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestStaleKeyReadDroppedAfterRescan (review-cc2 finding): a
// read-back for a key (y) answered with the message listed before a
// renumbering reload is applied to the new message listed under the same
// ID: rescan must drop it (it bumped detailSeq only).
func TestStaleKeyReadDroppedAfterRescan(t *testing.T) {
	m := newModel(t.Context(), testConfig(nil), true)
	m.cfg.Getenv = func(k string) string { return map[string]string{"TERM": "xterm"}[k] }
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	old := sampleMessages()
	for i := range old {
		old[i].MessageID = "<old-" + string(rune('a'+i)) + "@before.example>"
	}
	m.kept.Put(old...)
	m.Update(scanBatchMsg{id: m.scan.id, msgs: old, done: true})
	_, copyCmd := m.Update(press("y"))
	if copyCmd == nil {
		t.Fatal("y asked nothing")
	}
	asked := m.table.SelectedRow().ID()
	answer := copyCmd() // read back before the reload: the old message
	m.rescan()          // the source was renumbered (ChangeReload)
	renumbered := sampleMessages()
	for i := range renumbered {
		renumbered[i].MessageID = "<other-" + string(rune('a'+i)) + "@renumbered.example>"
	}
	m.kept.Put(renumbered...)
	m.Update(scanBatchMsg{id: m.scan.id, msgs: renumbered, done: true})
	// The operator's selection lands on the same ID in the new listing.
	for i := 0; i < len(renumbered) && m.table.SelectedRow().ID() != asked; i++ {
		m.table.SetCursor(i)
	}
	m.Update(answer) // late
	sel := m.table.SelectedRow().ID()
	for _, msg := range renumbered {
		if msg.ID == sel && m.lastCopy != "" && m.lastCopy != strings.Trim(msg.MessageID, "<>") {
			t.Fatalf("copied %q for %s, whose Message-ID is now %q: the message listed before the reload", m.lastCopy, sel, msg.MessageID)
		}
	}
}

// hubLike is the console's source with the SSH hub's read-back
// (SharedMessages), backed by a map that a reload replaces.
type hubLike struct {
	Source
	listed map[model.MessageID]model.Message
}

func (h *hubLike) Message(_ context.Context, id model.MessageID) (model.Message, error) {
	if m, ok := h.listed[id]; ok {
		return m, nil
	}
	return model.Message{}, app.ErrNotSpilled
}

// TestSessionKeptCopyForgottenOnReload (review-cc2 finding):
// under "mxaudit serve" a session's own spill is read first; a message
// it verified (reanalyseSelected puts the fresh analysis there) keeps
// answering for its ID after the hub reloaded a renumbered source and
// lists another message under that ID.
func TestSessionKeptCopyForgottenOnReload(t *testing.T) {
	cfg := testConfig(nil)
	msgs := sampleMessages()
	hub := &hubLike{Source: cfg.Source, listed: map[model.MessageID]model.Message{}}
	for _, msg := range msgs {
		hub.listed[msg.ID] = msg
	}
	cfg.Source = hub
	m := newModel(t.Context(), cfg, true)
	id := msgs[0].ID
	verified := msgs[0]
	verified.Subject = "verified before the reload"
	m.kept.Put(verified) // what a verify's command does in this session
	// The hub reloads a renumbered source: id now names another message.
	other := msgs[1]
	other.ID = id
	hub.listed = map[model.MessageID]model.Message{id: other}
	m.rescan()
	got, err := m.reader()(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != other.Subject {
		t.Fatalf("read back %q for %s, which now names %q", got.Subject, id, other.Subject)
	}
}
