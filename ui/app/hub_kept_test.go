package app

import (
	"context"
	"encoding/json"
	"testing"

	"mxaudit/model"
)

// TestHubReadsBackWhatItScanned checks that the hub, which keeps rows in
// memory and the messages in its spill, gives a session every message
// whole as the scan analysed it (attachments, verdicts, authentication):
// a release plan is built on that copy.
func TestHubReadsBackWhatItScanned(t *testing.T) {
	h := newTestHub(t)
	want := map[model.MessageID][]byte{}
	if err := h.app.Scan(context.Background(), func(m model.Message) error {
		b, err := json.Marshal(m)
		want[m.ID] = b
		return err
	}, nil); err != nil {
		t.Fatal(err)
	}
	v := h.View()
	defer v.Close()
	var attachments int
	n := 0
	err := v.ScanShared(context.Background(), func(r *model.Row) error {
		n++
		m, err := v.Message(context.Background(), r.ID())
		if err != nil {
			return err
		}
		attachments += len(m.Attachments)
		got, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if string(got) != string(want[r.ID()]) {
			t.Errorf("%s read back as\n%s\nwant\n%s", r.ID(), got, want[r.ID()])
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) || attachments == 0 {
		t.Fatalf("listed %d of %d messages with %d attachments in all", n, len(want), attachments)
	}
}

// TestHubForgetsWhatLeft checks that a message the hub no longer lists
// cannot be read back, and that its spill forgets it (its record is
// compacted away once most of the file is dead).
func TestHubForgetsWhatLeft(t *testing.T) {
	h := newTestHub(t)
	v := h.View()
	defer v.Close()
	ids := scanIDs(t, v)
	h.departed(ids[:1], "released by test")
	if m, err := v.Message(context.Background(), ids[0]); err == nil {
		t.Fatalf("read back %s after it left the listing", m.ID)
	}
	h.kept.mu.Lock()
	_, kept := h.kept.index[h.kept.idKey(ids[0])]
	h.kept.mu.Unlock()
	if kept {
		t.Error("the hub's spill still keeps a message that left: a long-running server's file would only grow")
	}
	if _, err := v.Message(context.Background(), ids[1]); err != nil {
		t.Fatalf("a message still listed: %v", err)
	}
}
