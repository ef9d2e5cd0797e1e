package mailsrc

// The tests of this file came from a security review of the watch's
// fingerprint (Known.Listed).

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/model"
)

// TestFingerprintYieldsToTheCallersIDs: Known.IDs are read lazily and
// are what the caller holds then (a console's list after a rescan, a
// failed undo, another operator's action; the hub's rows), while
// Known.Listed is the first scan's. Once the caller's list has drifted
// from what the scan emitted, a change in the folder that nets out
// between two polls must still make the watch compare the listing with
// the IDs the caller holds: the fingerprint may only spare the taking
// in, never decide that the caller holds the folder.
func TestFingerprintYieldsToTheCallersIDs(t *testing.T) {
	const (
		one   = "1700000001.M1P1.host"
		two   = "1700000002.M2P2.host"
		ghost = "1700000009.M9P9.host"
	)
	scanned := []model.MessageID{one, two}
	tests := []struct {
		name     string
		stamp    bool // the folders had settled when the scan listed them
		holds    []model.MessageID
		netZero  func(t *testing.T, dir string)
		wantKind ChangeKind
		wantIDs  []model.MessageID
	}{
		{name: "settled: the caller lost a message still in the folder", stamp: true,
			holds: []model.MessageID{one}, netZero: awayAndBack("new/" + two),
			wantKind: Added, wantIDs: []model.MessageID{two}},
		{name: "settled: the caller lists a message no longer in the folder", stamp: true,
			holds: []model.MessageID{one, two, ghost}, netZero: inAndOut("new/" + ghost),
			wantKind: Removed, wantIDs: []model.MessageID{ghost}},
		{name: "settled since the start: the caller lost a message still in the folder",
			holds: []model.MessageID{one}, netZero: awayAndBack("new/" + two),
			wantKind: Added, wantIDs: []model.MessageID{two}},
		{name: "settled since the start: the caller lists a message no longer in the folder",
			holds: []model.MessageID{one, two, ghost}, netZero: inAndOut("new/" + ghost),
			wantKind: Removed, wantIDs: []model.MessageID{ghost}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, md := newTestMaildir(t, map[string]string{
				"cur/" + one + ":2,S": tinyMessage("one"),
				"new/" + two:          tinyMessage("two"),
			})
			const settle = 20 * time.Millisecond
			time.Sleep(2 * settle)
			var holds atomic.Pointer[[]model.MessageID]
			holds.Store(&scanned)
			known := Known{
				IDs: func(yield func(model.MessageID) bool) {
					for _, id := range *holds.Load() {
						if !yield(id) {
							return
						}
					}
				},
				Listed: new(IDSetSum),
			}
			for _, id := range scanned {
				known.Listed.Add(id)
			}
			if tt.stamp {
				if known.Stamp = vouchingStamp(md, settle); known.Stamp == "" {
					t.Fatal("no stamp of the settled folders")
				}
			}
			src := &countingMaildir{Maildir: md}
			// A long interval: the net-zero change falls between two polls.
			w := &PollWatcher{src: src, Interval: 300 * time.Millisecond, Settle: 15 * time.Millisecond, folderSettle: settle}
			ctx, cancel := context.WithCancel(t.Context())
			changes := make(chan Change, 16)
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = w.WatchFrom(ctx, known, func(c Change) { changes <- c })
			}()
			defer func() { cancel(); <-done }()
			if !tt.stamp { // the first listing, which the folders' times vouch for, is awaited
				for deadline := time.Now().Add(5 * time.Second); src.lists.Load() == 0 && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
				}
			}
			expectQuietFor(t, changes, 700*time.Millisecond, "nothing changed since the scan")
			holds.Store(&tt.holds)
			tt.netZero(t, dir)
			select {
			case c := <-changes:
				if c.Kind != tt.wantKind || !slices.Equal(c.IDs, tt.wantIDs) {
					t.Fatalf("%s %v, want %s %v", c.Kind, c.IDs, tt.wantKind, tt.wantIDs)
				}
			case <-time.After(3 * time.Second):
				t.Fatalf("the folder holds other messages than the caller, yet nothing was reported (want %s %v)", tt.wantKind, tt.wantIDs)
			}
		})
	}
}

func awayAndBack(rel string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		p, away := filepath.Join(dir, rel), filepath.Join(dir, "away")
		if err := os.Rename(p, away); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(away, p); err != nil {
			t.Fatal(err)
		}
	}
}

func inAndOut(rel string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		tmp := writeFile(t, dir, "tmp/x", tinyMessage("ghost"), time.Time{})
		if err := os.Rename(tmp, filepath.Join(dir, rel)); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, rel)); err != nil {
			t.Fatal(err)
		}
	}
}

func expectQuietFor(t *testing.T, changes <-chan Change, d time.Duration, why string) {
	t.Helper()
	select {
	case c := <-changes:
		t.Fatalf("%s, yet %s %v was reported", why, c.Kind, c.IDs)
	case <-time.After(d):
	}
}
