package mailsrc

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// watchInBackground runs a fast PollWatcher on src and returns its
// changes as they come, and a function that stops it and returns Watch's
// error.
func watchInBackground(t *testing.T, src Source) (<-chan Change, func() error) {
	t.Helper()
	return watchFromInBackground(t, src, Known{})
}

// watchFromInBackground is watchInBackground from the messages known.
func watchFromInBackground(t *testing.T, src Source, known Known) (<-chan Change, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	changes := make(chan Change, 16)
	done := make(chan error, 1)
	w := &PollWatcher{src: src, Interval: 40 * time.Millisecond, Settle: 15 * time.Millisecond}
	go func() { done <- w.WatchFrom(ctx, known, func(c Change) { changes <- c }) }()
	return changes, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Watch did not return after cancellation")
			return nil
		}
	}
}

func nextChange(t *testing.T, changes <-chan Change, what string) Change {
	t.Helper()
	select {
	case c := <-changes:
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("no change reported: wanted %s", what)
		return Change{}
	}
}

func expectQuiet(t *testing.T, changes <-chan Change, why string) {
	t.Helper()
	select {
	case c := <-changes:
		t.Fatalf("%s, yet %s %v was reported", why, c.Kind, c.IDs)
	case <-time.After(200 * time.Millisecond):
	}
}

func wantChange(t *testing.T, got Change, kind ChangeKind, ids ...model.MessageID) {
	t.Helper()
	if got.Kind != kind || !slices.Equal(got.IDs, ids) || got.Note == "" {
		t.Fatalf("change %s %v (note %q), want %s %v with a note", got.Kind, got.IDs, got.Note, kind, ids)
	}
}

// TestPollWatcherMaildir follows a Maildir through a delivery, a client
// marking a message read (a rename that is no change), another operator's
// deletion, and a file that is not mail.
func TestPollWatcherMaildir(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000001.M1P1.host:2,S": tinyMessage("one"),
		"new/1700000002.M2P2.host":     tinyMessage("two"),
	})
	changes, stop := watchInBackground(t, md)

	// The first listing comes whole, for the caller to dedupe.
	wantChange(t, nextChange(t, changes, "the first listing"), Added, "1700000001.M1P1.host", "1700000002.M2P2.host")

	// A delivery: written in tmp/, renamed into new/.
	tmp := writeFile(t, dir, "tmp/1700000003.M3P3.host", tinyMessage("three"), time.Time{})
	if err := os.Rename(tmp, filepath.Join(dir, "new", "1700000003.M3P3.host")); err != nil {
		t.Fatal(err)
	}
	wantChange(t, nextChange(t, changes, "the delivery"), Added, "1700000003.M3P3.host")

	// A client reads message two: new/ to cur/ with flags; same ID.
	if err := os.Rename(filepath.Join(dir, "new", "1700000002.M2P2.host"), filepath.Join(dir, "cur", "1700000002.M2P2.host:2,S")); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, changes, "a message only changed flags")

	// Another operator deletes message one.
	if err := os.Remove(filepath.Join(dir, "cur", "1700000001.M1P1.host:2,S")); err != nil {
		t.Fatal(err)
	}
	wantChange(t, nextChange(t, changes, "the deletion"), Removed, "1700000001.M1P1.host")

	if err := stop(); err != context.Canceled {
		t.Fatalf("Watch returned %v, want context.Canceled", err)
	}
}

// TestPollWatcherWaitsForWholeFiles checks the size debounce on a
// directory source: a file still growing is reported only once it has
// stopped changing.
func TestPollWatcherWaitsForWholeFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.eml", tinyMessage("a"), time.Time{})
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	changes, stop := watchInBackground(t, src)
	defer stop()
	wantChange(t, nextChange(t, changes, "the first listing"), Added, "a.eml")

	// A copy in progress: the file grows at every listing for a while.
	copySlowly(t, filepath.Join(dir, "b.eml"), 300*time.Millisecond, changes)
	wantChange(t, nextChange(t, changes, "the finished copy"), Added, "b.eml")
}

// copySlowly writes a message to path, growing it every 5 ms for d, and
// fails if the watch reports any change meanwhile: a file still being
// written must not be analysed.
func copySlowly(t *testing.T, path string, d time.Duration, changes <-chan Change) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(tinyMessage(filepath.Base(path))); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if _, err := f.WriteString("more body text\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-changes:
			t.Fatalf("%s %v reported while %s was still being written", c.Kind, c.IDs, path)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPollWatcherFromKnown starts a watch from the messages a caller's
// scan listed: only what changed since is reported (what left, then what
// arrived), nothing when nothing did, on a Maildir and on a directory.
func TestPollWatcherFromKnown(t *testing.T) {
	tests := []struct {
		name        string
		maildir     bool
		known       []model.MessageID
		wantRemoved []model.MessageID
		wantAdded   []model.MessageID
	}{
		{name: "Maildir unchanged", maildir: true, known: []model.MessageID{"1700000001.M1P1.host", "1700000002.M2P2.host"}},
		{name: "Maildir changed during the scan", maildir: true,
			known:       []model.MessageID{"1700000001.M1P1.host", "1700000009.M9P9.host"},
			wantRemoved: []model.MessageID{"1700000009.M9P9.host"},
			wantAdded:   []model.MessageID{"1700000002.M2P2.host"}},
		{name: "Maildir, nothing known", maildir: true, known: []model.MessageID{},
			wantAdded: []model.MessageID{"1700000001.M1P1.host", "1700000002.M2P2.host"}},
		{name: "directory unchanged", known: []model.MessageID{"a.eml", "b.eml"}},
		{name: "directory changed during the scan", known: []model.MessageID{"b.eml", "c.eml"},
			wantRemoved: []model.MessageID{"c.eml"}, wantAdded: []model.MessageID{"a.eml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src Source
			if tt.maildir {
				_, src = newTestMaildir(t, map[string]string{
					"cur/1700000001.M1P1.host:2,S": tinyMessage("one"),
					"new/1700000002.M2P2.host":     tinyMessage("two"),
				})
			} else {
				dir := t.TempDir()
				writeFile(t, dir, "a.eml", tinyMessage("a"), time.Time{})
				writeFile(t, dir, "b.eml", tinyMessage("b"), time.Time{})
				d, err := NewDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				mustClose(t, d)
				src = d
			}
			changes, stop := watchFromInBackground(t, src, Known{IDs: slices.Values(tt.known)})
			defer stop()
			if tt.wantRemoved != nil {
				wantChange(t, nextChange(t, changes, "what left"), Removed, tt.wantRemoved...)
			}
			if tt.wantAdded != nil {
				wantChange(t, nextChange(t, changes, "what arrived"), Added, tt.wantAdded...)
			}
			expectQuiet(t, changes, "nothing else changed")
		})
	}
}
