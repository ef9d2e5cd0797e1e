package imap

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap/dovecottest"
)

// TestDovecotConcurrentActions races operators, each with a Source (and
// so a connection) of its own, on the same messages of a real Dovecot:
// every message must be acted on exactly once, every loser told
// ErrNotFound (ErrClaimed when it lost the claim itself), and no claim
// keyword may be left anywhere.
func TestDovecotConcurrentActions(t *testing.T) {
	const operators, messages = 4, 10
	tests := []struct {
		name   string
		noMove bool
		mode   DeleteMode
		delete bool
		dest   string // "" when the message is expunged
	}{
		{"release MOVE", false, "", false, "Released"},
		{"release COPY fallback", true, "", false, "Released"},
		{"delete MOVE", false, DeleteToTrash, true, "Trash"},
		{"delete COPY fallback", true, DeleteToTrash, true, "Trash"},
		{"delete expunge", false, DeleteExpunge, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dovecottest.Start(t, dovecottest.Options{NoMove: tt.noMove})
			var raws [][]byte
			for i := range messages {
				raws = append(raws, testMessage(i))
			}
			d.Append("Quarantine", raws...)
			srcs := make([]*Source, operators)
			for i := range srcs {
				srcs[i] = mustOpenDovecot(t, d, func(c *Config) { c.DeleteMode = tt.mode })
			}
			ids := listIDs(t, srcs[0])
			if len(ids) != messages {
				t.Fatalf("listed %d messages", len(ids))
			}
			errs := make([][]error, operators)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, s := range srcs {
				errs[i] = make([]error, len(ids))
				wg.Go(func() {
					<-start
					for j, id := range ids {
						if tt.delete {
							errs[i][j] = s.Delete(context.Background(), id)
						} else {
							errs[i][j] = s.Release(context.Background(), id, "")
						}
					}
				})
			}
			close(start)
			wg.Wait()
			claimed := 0
			for j, id := range ids {
				ok := 0
				for i := range srcs {
					switch err := errs[i][j]; {
					case err == nil:
						ok++
					case errors.Is(err, mailsrc.ErrClaimed):
						claimed++
					case !errors.Is(err, mailsrc.ErrNotFound):
						t.Errorf("%s, operator %d: %v", id, i, err)
					}
				}
				if ok != 1 {
					t.Errorf("%s: %d operators succeeded, want exactly 1", id, ok)
				}
			}
			t.Logf("%d of %d losing calls lost the claim itself (ErrClaimed), the others found the message gone", claimed, messages*(operators-1))
			if left := d.Flags("Quarantine"); len(left) != 0 {
				t.Errorf("the quarantine still holds %v", left)
			}
			for _, mb := range []string{"Released", "Trash"} {
				want := 0
				if mb == tt.dest {
					want = messages
				}
				flags := d.Flags(mb)
				if len(flags) != want {
					t.Errorf("%s holds %d messages, want %d", mb, len(flags), want)
				}
				for uid, f := range flags {
					if slices.Contains(f, ClaimKeyword) {
						t.Errorf("%s UID %d keeps %s", mb, uid, ClaimKeyword)
					}
				}
			}
		})
	}
}

// TestDovecotInterruptedClaim is what an operator meets after a process
// died between its claim and its move: a clear refusal naming the
// keyword, and once the keyword is removed, a normal release.
func TestDovecotInterruptedClaim(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	d.Append("Quarantine", testMessage(0))
	s := mustOpenDovecot(t, d, nil)
	ids := listIDs(t, s)
	setClaim := func(op goimap.StoreFlagsOp) {
		c := d.Client()
		defer c.Close()
		if _, err := c.Select("Quarantine", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Store(goimap.UIDSetNum(1), &goimap.StoreFlags{Op: op, Flags: []goimap.Flag{ClaimKeyword}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
	}
	setClaim(goimap.StoreFlagsAdd)
	for _, act := range []func() error{
		func() error { return s.Release(context.Background(), ids[0], "") },
		func() error { return s.Delete(context.Background(), ids[0]) },
	} {
		err := act()
		if !errors.Is(err, mailsrc.ErrClaimed) || !errors.Is(err, mailsrc.ErrNotFound) {
			t.Fatalf("err = %v, want ErrClaimed wrapping ErrNotFound", err)
		}
		for _, want := range []string{string(ClaimKeyword), "doveadm flags remove", "uid 1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	}
	if n := len(d.Flags("Quarantine")); n != 1 {
		t.Fatalf("the claimed message was moved: quarantine holds %d", n)
	}
	setClaim(goimap.StoreFlagsDel)
	if err := s.Release(context.Background(), ids[0], ""); err != nil {
		t.Fatalf("release after clearing the claim: %v", err)
	}
	if f := d.Flags("Released"); len(f) != 1 || slices.Contains(f[1], ClaimKeyword) {
		t.Errorf("Released: %v", f)
	}
}

// TestDovecotClaimRace changes the message from another session between
// the claim's FETCH and its conditional STORE, so that Dovecot answers
// MODIFIED for certain: a rival claim must make the release fail with
// ErrClaimed (and not move the message), an unrelated flag change must
// only make it try again. A release refused by the destination gives the
// claim back.
func TestDovecotClaimRace(t *testing.T) {
	tests := []struct {
		name    string
		flag    goimap.Flag
		wantErr error
	}{
		{"rival claim", ClaimKeyword, mailsrc.ErrClaimed},
		{"unrelated change", goimap.FlagFlagged, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dovecottest.Start(t, dovecottest.Options{})
			d.Append("Quarantine", testMessage(0))
			s := mustOpenDovecot(t, d, nil)
			ids := listIDs(t, s)
			other := d.Client()
			defer other.Close()
			if _, err := other.Select("Quarantine", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			probes := 0
			s.claimProbe = func() {
				probes++
				if probes == 1 {
					if err := other.Store(goimap.UIDSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{tt.flag}}, nil).Close(); err != nil {
						t.Error(err)
					}
				}
			}
			err := s.Release(context.Background(), ids[0], "")
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			released := 1
			if tt.wantErr != nil {
				released = 0
			}
			if n := len(d.Flags("Released")); n != released {
				t.Errorf("Released holds %d, want %d", n, released)
			}
			if tt.wantErr == nil && probes != 2 {
				t.Errorf("%d claim attempts, want 2 (the first answered MODIFIED)", probes)
			}
		})
	}
}

func TestDovecotRefusedMoveGivesClaimBack(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	d.Append("Quarantine", testMessage(0))
	s := mustOpenDovecot(t, d, nil)
	ids := listIDs(t, s)
	err := s.Release(context.Background(), ids[0], "NoSuchBox")
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("release to a missing mailbox: %v", err)
	}
	if f := d.Flags("Quarantine")[1]; slices.Contains(f, ClaimKeyword) {
		t.Fatalf("a refused move kept the claim: %v", f)
	}
	if err := s.Release(context.Background(), ids[0], ""); err != nil {
		t.Fatalf("release after a refused one: %v", err)
	}
}
