package mailsrc

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

func setSum(ids ...model.MessageID) IDSetSum {
	var s IDSetSum
	for _, id := range ids {
		s.Add(id)
	}
	return s
}

// TestIDSetSum: the fingerprint is the set's, in any order and however
// it was split, and tells apart a set with one ID more, less, other, or
// twice.
func TestIDSetSum(t *testing.T) {
	abc := setSum("a", "b", "c")
	var split IDSetSum
	split.Merge(setSum("c"))
	split.Merge(setSum("b", "a"))
	if abc != setSum("c", "a", "b") || abc != split || abc.Len() != 3 {
		t.Fatalf("the same set, fingerprinted apart: %v %v %v", abc, setSum("c", "a", "b"), split)
	}
	for _, other := range [][]model.MessageID{{"a", "b"}, {"a", "b", "c", "d"}, {"a", "b", "d"}, {"a", "b", "c", "c"}, {"a", "b", "b"}, {}} {
		if setSum(other...) == abc {
			t.Errorf("%q has the fingerprint of a, b, c", other)
		}
	}
	if (IDSetSum{}) != setSum() {
		t.Error("the zero value is not the empty set's")
	}
	got, err := sumListing(context.Background(), namesSource{"b", "c", "a"})
	if err != nil || got != abc {
		t.Fatalf("a listing of a, b, c: %v %v, want %v", got, err, abc)
	}
}

// countedIDs yields ids, counting how often it is ranged over.
func countedIDs(ids []model.MessageID, ranged *atomic.Int32) func(func(model.MessageID) bool) {
	return func(yield func(model.MessageID) bool) {
		ranged.Add(1)
		for _, id := range ids {
			if !yield(id) {
				return
			}
		}
	}
}

// TestPollWatcherComparesTheScansFingerprint: given the fingerprint of
// what the scan listed and no stamp to trust (a delivery within the last
// seconds), the watch lists the Maildir but takes the scan's IDs in only
// once a listing differs from it; what changed is reported as it would
// be from the IDs themselves, and a fingerprint of another set costs the
// IDs' taking in, not a change reported.
func TestPollWatcherComparesTheScansFingerprint(t *testing.T) {
	scanned := []model.MessageID{"1700000001.M1P1.host", "1700000002.M2P2.host"}
	tests := []struct {
		name        string
		listed      IDSetSum
		remove      bool // the second message leaves after the scan
		wantRemoved bool
	}{
		{name: "unchanged since the scan", listed: setSum(scanned...)},
		{name: "a message left since the scan", listed: setSum(scanned...), remove: true, wantRemoved: true},
		{name: "the fingerprint of another set", listed: setSum(scanned[0])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, md := newTestMaildir(t, map[string]string{
				"cur/1700000001.M1P1.host:2,S": tinyMessage("one"),
				"new/1700000002.M2P2.host":     tinyMessage("two"),
			})
			if tt.remove {
				if err := os.Remove(filepath.Join(dir, "new", "1700000002.M2P2.host")); err != nil {
					t.Fatal(err)
				}
			}
			var ranged atomic.Int32
			src := &countingMaildir{Maildir: md}
			listed := tt.listed
			// No folder time is trusted: every interval lists.
			changes := watchCountingFrom(t, src, time.Hour, Known{IDs: countedIDs(scanned, &ranged), Listed: &listed})
			if tt.wantRemoved {
				wantChange(t, nextChange(t, changes, "the removal"), Removed, "1700000002.M2P2.host")
			}
			for deadline := time.Now().Add(2 * time.Second); src.lists.Load() < 4 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			expectQuiet(t, changes, "nothing changed since")
			wantRanged := int32(1)
			if tt.name == "unchanged since the scan" {
				wantRanged = 0
			}
			if n := ranged.Load(); n != wantRanged {
				t.Fatalf("the scan's IDs were taken in %d times over %d listings, want %d", n, src.lists.Load(), wantRanged)
			}
			if tt.name != "unchanged since the scan" {
				return
			}
			// The first delivery takes them in, and is reported.
			tmp := writeFile(t, dir, "tmp/1700000003.M3P3.host", tinyMessage("three"), time.Time{})
			if err := os.Rename(tmp, filepath.Join(dir, "new", "1700000003.M3P3.host")); err != nil {
				t.Fatal(err)
			}
			wantChange(t, nextChange(t, changes, "the delivery"), Added, "1700000003.M3P3.host")
			if n := ranged.Load(); n != 1 {
				t.Fatalf("the scan's IDs were taken in %d times once mail came, want 1", n)
			}
			expectQuiet(t, changes, "nothing changed since the delivery")
		})
	}
}

// TestHeldFromAFingerprintStaysSorted: IDs taken in after a listing
// differed are the set held as if taken in at the start.
func TestHeldFromAFingerprintStaysSorted(t *testing.T) {
	known := idsOf("a", "b", "c")
	listed := setSum(known...)
	w := &wholeWatch{src: namesSource{"a", "b", "c", "d"}, untaken: slices.Values(known), listed: &listed}
	var changes []Change
	same, err := w.poll(context.Background(), 0, "test", func(c Change) { changes = append(changes, c) })
	if err != nil || !same || len(changes) != 1 || !slices.Equal(changes[0].IDs, idsOf("d")) {
		t.Fatalf("same %v, err %v, changes %+v", same, err, changes)
	}
	if want := heldOf(slices.Values(idsOf("a", "b", "c", "d"))); !slices.Equal(w.held, want) || w.untaken != nil || w.listed != nil {
		t.Fatalf("held %v (want %v), untaken %v, listed %v", w.held, want, w.untaken != nil, w.listed)
	}
}

// BenchmarkIDSetSumAdd is what fingerprinting costs a scan a message:
// one Add as each is emitted.
func BenchmarkIDSetSumAdd(b *testing.B) {
	id := model.MessageID("1700000000.M123456P7890Q12.mx1.example.org")
	var s IDSetSum
	for b.Loop() {
		s.Add(id)
	}
}
