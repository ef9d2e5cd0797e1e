package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// TestMoveDoneButNotDurable: the rename (or, across file systems, the
// copy and the removal) succeeds and the directory fsync after it fails.
// The message has moved, so the move is reported as done with a warning
// (ErrNotDurable), never as failed: the claim no longer holds it, the
// undo of a delete moves it back, and a restore counts as done.
//
// The fsync failure is injected at the "sync-dir" step: a directory fsync
// cannot be made to fail portably on a real file system.
func TestMoveDoneButNotDurable(t *testing.T) {
	for _, kind := range []string{"maildir", "dir"} {
		for _, exdev := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/exdev=%v", kind, exdev), func(t *testing.T) {
				f := newMoveFixture(t, kind)
				failSync := true
				stepHook = func(name string) error {
					switch {
					case name == "sync-dir" && failSync:
						return fmt.Errorf("fsync: %w", syscall.EIO)
					case name == "rename" && exdev:
						return syscall.EXDEV
					}
					return nil
				}
				defer func() { stepHook = nil }()
				src, err := Open(f.dir)
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				ctx := context.Background()
				ledger := src.(Ledger)

				c, err := ledger.Claim(ctx, f.id)
				if err != nil {
					t.Fatal(err)
				}
				err = c.Trash("sato", time.Now())
				if !errors.Is(err, ErrNotDurable) || !errors.Is(err, syscall.EIO) {
					t.Fatalf("Trash = %v, want a warning wrapping ErrNotDurable and the fsync error", err)
				}
				if w := f.where(t); w != ".trash" || c.Present() || c.State().Moved != MovedTrash {
					t.Fatalf("after the warning: message in %s, claim holds it %v, state %q: want moved to .trash", w, c.Present(), c.State().Moved)
				}
				// The delete's undo (its audit record failed) moves it back.
				if err := c.Undo(); err != nil && !errors.Is(err, ErrNotDurable) {
					t.Fatalf("Undo = %v", err)
				}
				if w := f.where(t); w != "quarantine" || !c.Present() {
					t.Fatalf("after the undo: message in %s, claim holds it %v", w, c.Present())
				}
				failSync = false
				if err := c.Trash("sato", time.Now()); err != nil {
					t.Fatal(err)
				}
				c.Close()

				failSync = true
				c, err = ledger.Claim(ctx, f.id)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if err := c.Untrash(ctx); !errors.Is(err, ErrNotDurable) {
					t.Fatalf("Untrash = %v, want a warning wrapping ErrNotDurable", err)
				}
				if w := f.where(t); w != "quarantine" || !c.Present() || c.State().Moved != "" {
					t.Errorf("after the restore: message in %s, claim holds it %v, state %q", w, c.Present(), c.State().Moved)
				}
			})
		}
	}
}
