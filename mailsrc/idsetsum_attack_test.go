package mailsrc

// The tests of this file came from a security review of the watch's
// fingerprint (Known.Listed).

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/model"
)

// TestFingerprintFailsClosed drives a watch from a real scan's listing
// (Maildir.List, which folds a name read twice) and its fingerprint
// through what a writer of the Maildir controls: a swap of one message
// for another (the same count), the same unique name in new/ and cur/
// (folded by the scan, counted twice by the listing), a flag rename, a
// copy beside itself. A listing that is not the scan's set must cost the
// taking in of the IDs, never a change missed or one made up.
func TestFingerprintFailsClosed(t *testing.T) {
	const one, two, three = "1700000001.M1P1.host", "1700000002.M2P2.host", "1700000003.M3P3.host"
	move := func(from, to string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
				t.Fatal(err)
			}
		}
	}
	deliver := func(rel string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			tmp := writeFile(t, dir, "tmp/x", tinyMessage(rel), time.Time{})
			if err := os.Rename(tmp, filepath.Join(dir, rel)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name        string
		files       map[string]string
		change      []func(*testing.T, string) // after the scan
		wantRemoved []model.MessageID
		wantAdded   []model.MessageID
		wantTaken   bool // the IDs are taken in
	}{
		{name: "unchanged", files: map[string]string{"cur/" + one + ":2,S": "a", "new/" + two: "b"}},
		{
			name: "one swapped for another", files: map[string]string{"cur/" + one + ":2,S": "a", "new/" + two: "b"},
			change: []func(*testing.T, string){func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "new", two)); err != nil {
					t.Fatal(err)
				}
			}, deliver("new/" + three)},
			wantRemoved: []model.MessageID{two}, wantAdded: []model.MessageID{three}, wantTaken: true,
		},
		{
			name:      "a unique name in new/ and cur/",
			files:     map[string]string{"cur/" + one + ":2,S": "a", "new/" + two: "b", "cur/" + two + ":2,S": "b"},
			wantTaken: true,
		},
		{
			name: "a client marks a message read", files: map[string]string{"cur/" + one + ":2,S": "a", "new/" + two: "b"},
			change: []func(*testing.T, string){move("new/"+two, "cur/"+two+":2,S")},
		},
		{
			name: "a message copied beside itself", files: map[string]string{"cur/" + one + ":2,S": "a", "new/" + two: "b"},
			change:    []func(*testing.T, string){deliver("cur/" + two + ":2,ST")},
			wantTaken: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for rel, subject := range tt.files {
				tt.files[rel] = tinyMessage(subject)
			}
			dir, md := newTestMaildir(t, tt.files)
			var scanned []model.MessageID
			var listed IDSetSum
			if err := md.List(t.Context(), func(e Entry) error {
				scanned = append(scanned, e.ID)
				listed.Add(e.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, c := range tt.change {
				c(t, dir)
			}
			var ranged atomic.Int32
			src := &countingMaildir{Maildir: md}
			changes := watchCountingFrom(t, src, time.Hour, Known{IDs: countedIDs(scanned, &ranged), Listed: &listed})
			if tt.wantRemoved != nil {
				wantChange(t, nextChange(t, changes, "the removal"), Removed, tt.wantRemoved...)
			}
			if tt.wantAdded != nil {
				wantChange(t, nextChange(t, changes, "the delivery"), Added, tt.wantAdded...)
			}
			for deadline := time.Now().Add(2 * time.Second); src.lists.Load() < 6 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			expectQuiet(t, changes, "nothing more changed")
			if taken := ranged.Load() > 0; taken != tt.wantTaken {
				t.Fatalf("IDs taken in: %v, want %v", taken, tt.wantTaken)
			}
		})
	}
}

// TestIDSetSumSmallMultisets: no two multisets over a few names (counts
// 0..3 each) share a fingerprint: duplicates, pairs and swaps do not
// cancel.
func TestIDSetSumSmallMultisets(t *testing.T) {
	names := []model.MessageID{"a", "b", "c", "d"}
	seen := map[IDSetSum][4]int{}
	var counts [4]int
	var rec func(i int)
	rec = func(i int) {
		if i == len(names) {
			var s IDSetSum
			for j, n := range counts {
				for range n {
					s.Add(names[j])
				}
			}
			if other, ok := seen[s]; ok {
				t.Fatalf("counts %v and %v share a fingerprint", other, counts)
			}
			seen[s] = counts
			return
		}
		for c := range 4 {
			counts[i] = c
			rec(i + 1)
		}
	}
	rec(0)
}
