package app

import (
	"context"
	"testing"

	"mxaudit/model"
)

// TestViewMessageFollowsItsListing (found in review): a session's View
// must not read back, by ID, the message the hub's current listing holds
// when the session still lists the previous one (a reload it has not
// processed yet). The hub is set as runScan leaves it after a reload that
// relisted the same ID for another message.
func TestViewMessageFollowsItsListing(t *testing.T) {
	h := newTestHub(t)
	v := h.View()
	ids := scanIDs(t, v)
	id := ids[0]
	other := []model.Message{{ID: id, Subject: "another message under the same ID"}}
	h.mu.Lock()
	h.gen++ // as runScan does on a reload
	h.kept.Reset()
	h.kept.Put(other...)
	h.have = map[model.MessageID]*model.Row{id: h.build.Rows(other)[0]}
	h.mu.Unlock()
	if m, err := v.Message(context.Background(), id); err == nil {
		t.Errorf("view of generation %d read back %q of generation %d", v.gen, m.Subject, h.gen)
	}
}
