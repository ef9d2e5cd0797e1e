package mailsrc

// The test of this file came from a concurrency and data-safety review
// of the watch's fingerprint (Known.Listed).

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// TestScansFingerprintIsNotTheCallersOnceItChanged: once the caller's set
// moved away from the scan's (a rescan; a delete whose undo restored a
// message not listed again), a folder back at the scan's set between two
// polls must still be compared with what the caller holds, with a stamp
// alone as with a stamp and the scan's fingerprint.
func TestScansFingerprintIsNotTheCallersOnceItChanged(t *testing.T) {
	const a, b, c = "1700000001.M1P1.host", "1700000002.M2P2.host", "1700000003.M3P3.host"
	move := func(t *testing.T, dir, from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		change func(t *testing.T, dir string) // between two polls
		caller []model.MessageID              // what the caller holds then
		kind   ChangeKind
		ids    []model.MessageID
	}{
		{name: "b deleted and restored, not listed again",
			change: func(t *testing.T, dir string) { move(t, dir, "new/"+b, "tmp/"+b); move(t, dir, "tmp/"+b, "new/"+b) },
			caller: idsOf(a), kind: Added, ids: idsOf(b)},
		{name: "c delivered, listed by a rescan, then gone",
			change: func(t *testing.T, dir string) {
				writeFile(t, dir, "new/"+c, tinyMessage("three"), time.Time{})
				if err := os.Remove(filepath.Join(dir, "new", c)); err != nil {
					t.Fatal(err)
				}
			},
			caller: idsOf(a, b, c), kind: Removed, ids: idsOf(c)},
	}
	for _, tt := range tests {
		for _, fingerprint := range []bool{false, true} {
			name := tt.name + "/stamp alone"
			if fingerprint {
				name = tt.name + "/stamp and fingerprint"
			}
			t.Run(name, func(t *testing.T) {
				dir, md := newTestMaildir(t, map[string]string{"cur/" + a + ":2,S": tinyMessage("one"), "new/" + b: tinyMessage("two")})
				stamp := vouchingStamp(md, time.Nanosecond)
				scanned := setSum(a, b)
				time.Sleep(50 * time.Millisecond) // past the folders' time grain
				tt.change(t, dir)
				k := Known{IDs: slices.Values(tt.caller), Stamp: stamp}
				if fingerprint {
					k.Listed = &scanned
				}
				changes := watchCountingFrom(t, md, time.Nanosecond, k)
				wantChange(t, nextChange(t, changes, "the difference from what the caller holds"), tt.kind, tt.ids...)
			})
		}
	}
}
