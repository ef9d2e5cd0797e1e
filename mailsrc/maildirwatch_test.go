//go:build unix

package mailsrc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"mxaudit/model"
)

// TestMaildirListIDsAgreesWithList checks that the watcher's cheap
// listing names exactly the messages List reports: hidden names,
// folders, links and pipes left out, a message in both folders once.
func TestMaildirListIDsAgreesWithList(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000001.M1P1.host:2,S":    tinyMessage("one"),
		"new/1700000002.M2P2.host":        tinyMessage("two"),
		"cur/1700000002.M2P2.host:2,S":    tinyMessage("two, moved while listed"),
		"cur/.hidden":                     tinyMessage("hidden"),
		"new/noflags":                     tinyMessage("a name without a time"),
		"cur/1700000004.M4P4.host,S=9:2,": tinyMessage("four"),
	})
	if err := os.Mkdir(filepath.Join(dir, "cur", "1700000005.folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "new", "noflags"), filepath.Join(dir, "new", "1700000006.link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "new", "1700000007.fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Hostile names, and enough long ones that the folder takes several
	// reads of the directory (64 KiB each).
	hostile := []string{"cur/1700000008.\xff\xfe.host:2,S", "new/1700000009.\x1b[31m.host", "new/" + strings.Repeat("x", 255)}
	for i := range 400 {
		hostile = append(hostile, fmt.Sprintf("cur/%d.%s:2,S", 1700001000+i, strings.Repeat("y", 200)))
	}
	for _, name := range hostile {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(tinyMessage(name)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var listed []model.MessageID
	if err := md.List(t.Context(), func(e Entry) error {
		listed = append(listed, e.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[model.MessageID]bool{}
	if err := md.ListIDs(t.Context(), func(id model.MessageID) error {
		seen[id] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ids := slices.Sorted(func(yield func(model.MessageID) bool) {
		for id := range seen {
			if !yield(id) {
				return
			}
		}
	})
	slices.Sort(listed)
	listed = slices.Compact(listed)
	if !slices.Equal(ids, listed) {
		t.Fatalf("ListIDs named %v, List reported %v", ids, listed)
	}
	if want := 4 + len(hostile); len(ids) != want {
		t.Fatalf("ListIDs named %d messages, want %d", len(ids), want)
	}
}

// countingMaildir counts the watcher's listings of a Maildir.
type countingMaildir struct {
	*Maildir
	lists atomic.Int32
}

func (c *countingMaildir) listIDBytes(ctx context.Context, fn func([]byte) error) error {
	c.lists.Add(1)
	return c.Maildir.listIDBytes(ctx, fn)
}

// watchCounting runs a fast PollWatcher on src, which counts its
// listings, trusting folder times older than folderSettle.
func watchCounting(t *testing.T, src Source, folderSettle time.Duration) <-chan Change {
	t.Helper()
	return watchCountingFrom(t, src, folderSettle, Known{})
}

// watchCountingFrom is watchCounting from what the caller knows.
func watchCountingFrom(t *testing.T, src Source, folderSettle time.Duration, known Known) <-chan Change {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	changes := make(chan Change, 16)
	done := make(chan struct{})
	w := &PollWatcher{src: src, Interval: 25 * time.Millisecond, Settle: 15 * time.Millisecond, folderSettle: folderSettle}
	go func() {
		defer close(done)
		_ = w.WatchFrom(ctx, known, func(c Change) { changes <- c })
	}()
	t.Cleanup(func() { cancel(); <-done })
	return changes
}

// expectUnlisted waits until the watch has settled (a change seen
// between its stamp and its listing costs one more listing), then fails
// if the source is listed again over eight intervals.
func expectUnlisted(t *testing.T, lists *atomic.Int32, changes <-chan Change, why string) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		before := lists.Load()
		time.Sleep(100 * time.Millisecond)
		if lists.Load() == before {
			break
		}
	}
	before := lists.Load()
	expectQuiet(t, changes, why)
	if n := lists.Load() - before; n != 0 {
		t.Fatalf("%s, yet the source was listed %d more times", why, n)
	}
}

// TestPollWatcherSkipsAQuietMaildir checks that a Maildir whose folders
// have not changed is not listed again, and that every kind of change
// still is: a delivery, a deletion, and a deletion whose folder time was
// set back (as rsync -t or tar would).
func TestPollWatcherSkipsAQuietMaildir(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000001.M1P1.host:2,S": tinyMessage("one"),
		"new/1700000002.M2P2.host":     tinyMessage("two"),
	})
	src := &countingMaildir{Maildir: md}
	changes := watchCounting(t, src, time.Nanosecond)
	wantChange(t, nextChange(t, changes, "the first listing"), Added, "1700000001.M1P1.host", "1700000002.M2P2.host")

	quiet := func(why string) {
		t.Helper()
		expectUnlisted(t, &src.lists, changes, why)
	}
	quiet("nothing changed")

	tmp := writeFile(t, dir, "tmp/1700000003.M3P3.host", tinyMessage("three"), time.Time{})
	if err := os.Rename(tmp, filepath.Join(dir, "new", "1700000003.M3P3.host")); err != nil {
		t.Fatal(err)
	}
	wantChange(t, nextChange(t, changes, "the delivery"), Added, "1700000003.M3P3.host")
	quiet("nothing changed after the delivery")

	if err := os.Remove(filepath.Join(dir, "new", "1700000002.M2P2.host")); err != nil {
		t.Fatal(err)
	}
	wantChange(t, nextChange(t, changes, "the deletion"), Removed, "1700000002.M2P2.host")
	quiet("nothing changed after the deletion")

	// Restore the folder's times after a deletion: only its status
	// change time, which cannot be set, still tells.
	cur := filepath.Join(dir, "cur")
	info, err := os.Stat(cur)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(cur, "1700000001.M1P1.host:2,S")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(cur, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	wantChange(t, nextChange(t, changes, "the deletion behind old folder times"), Removed, "1700000001.M1P1.host")
}

// TestPollWatcherListsAFreshMaildir checks the guard against a file
// system's time grain: while a folder changed moments ago, its times
// cannot vouch that the next change will show, so the watcher keeps
// listing.
func TestPollWatcherListsAFreshMaildir(t *testing.T) {
	_, md := newTestMaildir(t, map[string]string{"new/1700000001.M1P1.host": tinyMessage("one")})
	src := &countingMaildir{Maildir: md}
	changes := watchCounting(t, src, time.Hour)
	wantChange(t, nextChange(t, changes, "the first listing"), Added, "1700000001.M1P1.host")
	before := src.lists.Load()
	expectQuiet(t, changes, "nothing changed")
	if n := src.lists.Load() - before; n < 3 {
		t.Fatalf("the Maildir was listed %d times in eight intervals while its folders were fresh, want every interval", n)
	}
}

// TestPollWatcherTrustsTheScansStamp starts watches from a scan's
// listing and the stamp taken before it: while the stamp stands, the
// folder is not listed at all; once it has changed, or for a stamp that
// never matched, the first listing reports what changed since the scan.
func TestPollWatcherTrustsTheScansStamp(t *testing.T) {
	scanned := []model.MessageID{"1700000001.M1P1.host", "1700000002.M2P2.host"}
	tests := []struct {
		name      string
		stamp     func(*Maildir) string
		deliver   bool // a message arrives between the scan and the watch
		wantAdded bool
	}{
		{name: "unchanged since the scan", stamp: func(md *Maildir) string { return vouchingStamp(md, time.Nanosecond) }},
		{name: "a delivery since the scan", stamp: func(md *Maildir) string { return vouchingStamp(md, time.Nanosecond) }, deliver: true, wantAdded: true},
		{name: "a stamp of something else", stamp: func(*Maildir) string { return "new:1;cur:2;" }, deliver: true, wantAdded: true},
		{name: "no stamp", stamp: func(*Maildir) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, md := newTestMaildir(t, map[string]string{
				"cur/1700000001.M1P1.host:2,S": tinyMessage("one"),
				"new/1700000002.M2P2.host":     tinyMessage("two"),
			})
			stamp := tt.stamp(md)
			if stamp == "" && tt.name != "no stamp" {
				t.Fatal("the Maildir gave no stamp")
			}
			if tt.deliver {
				tmp := writeFile(t, dir, "tmp/1700000003.M3P3.host", tinyMessage("three"), time.Time{})
				if err := os.Rename(tmp, filepath.Join(dir, "new", "1700000003.M3P3.host")); err != nil {
					t.Fatal(err)
				}
			}
			src := &countingMaildir{Maildir: md}
			changes := watchCountingFrom(t, src, time.Nanosecond, Known{IDs: slices.Values(scanned), Stamp: stamp})
			if tt.wantAdded {
				wantChange(t, nextChange(t, changes, "the delivery"), Added, "1700000003.M3P3.host")
			}
			if tt.name == "unchanged since the scan" {
				expectQuiet(t, changes, "nothing changed since the scan")
				if n := src.lists.Load(); n != 0 {
					t.Fatalf("nothing changed since the scan's stamp, yet the Maildir was listed %d times", n)
				}
				return
			}
			// Without a stamp nothing is reported: the first listing is
			// awaited, for a watch the machine's load held back past
			// expectUnlisted's first look not to list under its eyes.
			for deadline := time.Now().Add(5 * time.Second); src.lists.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			expectUnlisted(t, &src.lists, changes, "nothing changed since")
		})
	}
}
