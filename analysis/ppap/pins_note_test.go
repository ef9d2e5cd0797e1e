package ppap

import (
	"context"
	"testing"

	"mxaudit/model"
)

// TestPairingNotesOnlyWhatItPins: a finished pairing notes the messages
// its ZIP mail pins, and the ZIP mail itself, never another held message
// it names, whatever holds that one. The stream's state is set by hand as
// it could stand when the pairing of zip ends; the order of two real
// pairings is forced in TestPasswordForIndependentOfPairingOrder.
func TestPairingNotesOnlyWhatItPins(t *testing.T) {
	s := NewStream(context.Background(), Config{}, nil, func(model.Message) error { return nil })
	held := func(id string, seq int, zip bool) *heldMsg {
		h := &heldMsg{msg: model.Message{ID: model.MessageID(id)}, ref: &Ref{ID: model.MessageID(id), Seq: seq}, zip: zip}
		s.heldByID[h.ref.ID] = append(s.heldByID[h.ref.ID], h)
		return h
	}
	zip := held("zip", 0, true)
	pinned := held("password", 1, false)
	otherZip := held("other", 2, true) // held, but not pinned by zip
	if d := offerPin(zip, pinned, 8); d != nil {
		t.Fatalf("offerPin dropped %s", d.ref.ID)
	}
	link := func(mail *heldMsg) Link {
		return Link{PasswordMail: mail.ref.ID, PasswordLink: model.PasswordLink{Message: "zip", Filename: "a.zip"}}
	}
	zip.pairing = true
	s.finish(pairResult{h: zip, links: []Link{link(pinned), link(otherZip), link(zip)}})
	for _, c := range []struct {
		h     *heldMsg
		notes int
	}{{pinned, 1}, {zip, 1}, {otherZip, 0}} {
		if len(c.h.notes) != c.notes {
			t.Errorf("%s: %d notes, want %d", c.h.ref.ID, len(c.h.notes), c.notes)
		}
	}
	if pinned.pinned != 0 || !pinned.ready {
		t.Errorf("the pinned mail is still held after the pairing: pinned %d, ready %v", pinned.pinned, pinned.ready)
	}
}
