package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestWatchStartsFromTheScan follows a Maildir from the messages a scan
// listed, as the console and the hub do: nothing is reported while the
// folder stays as scanned, and a delivery afterwards comes alone, not
// with the whole folder. The folders are left to settle first, so that
// their change stamp vouches and the scan keeps it for the watch.
func TestWatchStartsFromTheScan(t *testing.T) {
	a := openDemoMaildir(t, t.TempDir(), 50*time.Millisecond)
	q, samples := a.Spec(), demo.Samples(demo.Options{})
	time.Sleep(3100 * time.Millisecond) // mailsrc's folderSettle
	var listed []model.MessageID
	if err := a.Scan(t.Context(), func(m model.Message) error { listed = append(listed, m.ID); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(samples) {
		t.Fatalf("scanned %d messages, want %d", len(listed), len(samples))
	}
	if a.listStamp == "" {
		t.Fatal("the scan kept no change stamp of the settled Maildir for the watch")
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	changes := make(chan mailsrc.Change, 4)
	go a.Watch(ctx, slices.Values(listed), func(c mailsrc.Change) { changes <- c })
	expectNoChange(t, changes)
	deliverArrival(t, q, changes)
}

// expectNoChange fails if the watch reports anything within half a
// second.
func expectNoChange(t *testing.T, changes <-chan mailsrc.Change) {
	t.Helper()
	select {
	case c := <-changes:
		t.Fatalf("nothing changed since the scan, yet %s %d messages was reported", c.Kind, len(c.IDs))
	case <-time.After(500 * time.Millisecond):
	}
}

// deliverArrival delivers a mail into the Maildir q's new/ and waits
// for the watch to report it, alone.
func deliverArrival(t *testing.T, q string, changes <-chan mailsrc.Change) {
	t.Helper()
	const arrival = "1800000000.M1P1.arrival"
	if err := os.WriteFile(filepath.Join(q, "new", arrival), demo.Samples(demo.Options{})[0].Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-changes:
		if c.Kind != mailsrc.Added || !slices.Equal(c.IDs, []model.MessageID{arrival}) {
			t.Fatalf("after a delivery: %s %v, want added %s alone", c.Kind, c.IDs, arrival)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the delivery was not reported")
	}
}

// TestScanThatSkippedKeepsNoStamp: a scan that skipped a file (an empty
// .eml, not mail yet) keeps no change stamp for the watch, which must
// then list the folder to see the file become mail in place; one that
// skipped nothing keeps it.
func TestScanThatSkippedKeepsNoStamp(t *testing.T) {
	raw := demo.Samples(demo.Options{})[0].Raw
	whole, skipping := t.TempDir(), t.TempDir()
	for _, dir := range []string{whole, skipping} {
		if err := os.WriteFile(filepath.Join(dir, "a.eml"), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(skipping, "late.eml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3100 * time.Millisecond) // mailsrc's folderSettle
	for _, tt := range []struct {
		dir       string
		wantStamp bool
	}{{whole, true}, {skipping, false}} {
		a, err := Open(t.Context(), tt.dir, Config{Offline: true, NoPPAP: true, Flags: Flags{NoCache: true}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		a.SetWarn(nil)
		if err := a.Scan(t.Context(), func(model.Message) error { return nil }, nil); err != nil {
			t.Fatal(err)
		}
		if got := a.listStamp != ""; got != tt.wantStamp {
			t.Errorf("%s: stamp kept %v, want %v", tt.dir, got, tt.wantStamp)
		}
		a.Close()
	}
}

// TestWatchRightAfterMailTakesNothingIn: a watch started from a scan
// right after a delivery (the folders changed within mailsrc's
// folderSettle: no stamp to trust) compares its listings with the
// scan's fingerprint and takes the caller's IDs in only when mail comes.
func TestWatchRightAfterMailTakesNothingIn(t *testing.T) {
	a := openDemoMaildir(t, t.TempDir(), 20*time.Millisecond)
	var listed []model.MessageID
	if err := a.Scan(t.Context(), func(m model.Message) error { listed = append(listed, m.ID); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if a.listStamp != "" || a.listSum == nil {
		t.Fatalf("a Maildir just written: stamp %q, fingerprint %v", a.listStamp, a.listSum)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	changes := make(chan mailsrc.Change, 4)
	var ranged atomic.Int32
	known := func(yield func(model.MessageID) bool) {
		ranged.Add(1)
		for _, id := range listed {
			if !yield(id) {
				return
			}
		}
	}
	go a.Watch(ctx, known, func(c mailsrc.Change) { changes <- c })
	expectNoChange(t, changes)
	if n := ranged.Load(); n != 0 {
		t.Fatalf("the IDs were taken in %d times while the folder held what the scan listed", n)
	}
	deliverArrival(t, a.Spec(), changes)
	if n := ranged.Load(); n != 1 {
		t.Fatalf("the IDs were taken in %d times once mail came, want 1", n)
	}
}
