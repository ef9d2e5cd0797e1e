package app

// The test of this file came from a security review of the watch's
// fingerprint (mailsrc.Known.Listed).

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestWatchFollowsTheListARescanLeft: a console's watch is started once,
// from its first scan (Known.Listed is that scan's fingerprint), and
// asks for the IDs the console lists only when it needs them (askIDs:
// after the rescan under way). A rescan (ctrl+r) that listed the folder
// while a message was away, or while one was briefly there, leaves a
// list other than the folder's once the folder is back as first
// scanned; the watch must then report the difference, as from the
// stamp alone.
func TestWatchFollowsTheListARescanLeft(t *testing.T) {
	away := model.MessageID(demo.Samples(demo.Options{})[2].Name) // in new/ (demo.WriteMaildir)
	const ghost = "1800000000.M1P1.ghost"
	rename := func(t *testing.T, from, to string) {
		t.Helper()
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name          string
		before, after func(t *testing.T, q string) // around the rescan
		want          mailsrc.ChangeKind
		id            model.MessageID
	}{
		{
			name: "the rescan missed a message away for a moment",
			before: func(t *testing.T, q string) {
				rename(t, filepath.Join(q, "new", string(away)), filepath.Join(q, "away"))
			},
			after: func(t *testing.T, q string) {
				rename(t, filepath.Join(q, "away"), filepath.Join(q, "new", string(away)))
			},
			want: mailsrc.Added, id: away,
		},
		{
			name: "the rescan listed a message there for a moment",
			before: func(t *testing.T, q string) {
				if err := os.WriteFile(filepath.Join(q, "tmp", ghost), demo.Samples(demo.Options{})[0].Raw, 0o600); err != nil {
					t.Fatal(err)
				}
				rename(t, filepath.Join(q, "tmp", ghost), filepath.Join(q, "new", ghost))
			},
			after: func(t *testing.T, q string) {
				if err := os.Remove(filepath.Join(q, "new", ghost)); err != nil {
					t.Fatal(err)
				}
			},
			want: mailsrc.Removed, id: ghost,
		},
	}
	// A poll interval longer than the rescan: the folder is back as the
	// first scan listed it at the watch's next listing.
	apps := make([]*App, len(tests))
	for i := range tests {
		apps[i] = openDemoMaildir(t, t.TempDir(), 2*time.Second)
		if err := os.MkdirAll(filepath.Join(apps[i].Spec(), "tmp"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(3100 * time.Millisecond) // mailsrc's folderSettle
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := apps[i]
			scan := func() []model.MessageID {
				var ids []model.MessageID
				if err := a.Scan(t.Context(), func(m model.Message) error { ids = append(ids, m.ID); return nil }, nil); err != nil {
					t.Fatal(err)
				}
				return ids
			}
			var mu sync.Mutex
			lists := scan()
			first := len(lists)
			if a.listStamp == "" || a.listSum == nil {
				t.Fatalf("settled Maildir: stamp %q, fingerprint %v", a.listStamp, a.listSum)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			rescanned := make(chan struct{}) // askIDs answers once the rescan has ended
			known := func(yield func(model.MessageID) bool) {
				select {
				case <-rescanned:
				case <-ctx.Done():
					return
				}
				mu.Lock()
				ids := slices.Clone(lists)
				mu.Unlock()
				for _, id := range ids {
					if !yield(id) {
						return
					}
				}
			}
			changes := make(chan mailsrc.Change, 4)
			go a.Watch(ctx, known, func(c mailsrc.Change) { changes <- c })
			time.Sleep(300 * time.Millisecond) // the watch has its first scan's fingerprint
			tt.before(t, a.Spec())
			rescan := scan()
			mu.Lock()
			lists = rescan
			mu.Unlock()
			close(rescanned)
			tt.after(t, a.Spec())
			select {
			case c := <-changes:
				if c.Kind != tt.want || !slices.Equal(c.IDs, []model.MessageID{tt.id}) {
					t.Fatalf("%s %v, want %s %s", c.Kind, c.IDs, tt.want, tt.id)
				}
			case <-time.After(6 * time.Second):
				t.Fatalf("the console lists %d messages, the folder holds the first scan's %d, and the watch reported nothing (want %s %s)",
					len(rescan), first, tt.want, tt.id)
			}
		})
	}
}
