package imap

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap/dovecottest"
)

// TestDovecotConcurrentActions races operators, each with a Source (and
// so a connection) of its own, on the same messages of a real Dovecot:
// every message must be acted on exactly once, every loser told
// ErrNotFound (ErrClaimed when it lost the claim itself), and no claim
// keyword may be left anywhere. Before each operator had a claim keyword
// of its own, about one run in six under load moved a message twice.
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
				if n := len(d.Flags(mb)); n != want {
					t.Errorf("%s holds %d messages, want %d", mb, n, want)
				}
			}
			noClaimsLeft(t, d, "Released", "Trash")
		})
	}
}

// TestDovecotInterruptedClaim is what an operator meets after a process
// died between its claim and its move: a clear refusal naming the
// keyword, and once the keyword is removed, a normal release. The shared
// keyword of earlier versions counts as a claim too.
func TestDovecotInterruptedClaim(t *testing.T) {
	for _, stale := range []goimap.Flag{ClaimPrefix + "-0123456789abcdef", ClaimPrefix} {
		t.Run(string(stale), func(t *testing.T) {
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
				if err := c.Store(goimap.UIDSetNum(1), &goimap.StoreFlags{Op: op, Flags: []goimap.Flag{stale}}, nil).Close(); err != nil {
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
				for _, want := range []string{string(stale), "doveadm flags remove", "uid 1"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
			}
			if f := d.Flags("Quarantine"); len(f) != 1 || !slices.Equal(f[1], []goimap.Flag{stale}) {
				t.Fatalf("the claimed message was touched: quarantine holds %v", f)
			}
			setClaim(goimap.StoreFlagsDel)
			if err := s.Release(context.Background(), ids[0], ""); err != nil {
				t.Fatalf("release after clearing the claim: %v", err)
			}
			if n := len(d.Flags("Released")); n != 1 {
				t.Errorf("Released holds %d messages", n)
			}
			noClaimsLeft(t, d, "Quarantine", "Released")
		})
	}
}

// TestDovecotClaimRace changes the message from another session between
// the claim's first look and its store: a rival claim keyword makes the
// release fail with ErrClaimed without moving the message, whichever
// keyword sorts first (the one sorting first waits for the rival, which
// here never withdraws, and then gives up); an unrelated flag change does
// not matter. A keyword removed behind the claim's back leaves it
// unproven: refused, fail closed.
func TestDovecotClaimRace(t *testing.T) {
	const own = ClaimPrefix + "-5555"
	tests := []struct {
		name    string
		op      goimap.StoreFlagsOp
		flag    goimap.Flag
		wantErr error
		step    string
	}{
		{"rival claim sorting first", goimap.StoreFlagsAdd, ClaimPrefix + "-1111", mailsrc.ErrClaimed, "looked"},
		{"rival claim sorting last", goimap.StoreFlagsAdd, ClaimPrefix + "-9999", mailsrc.ErrClaimed, "looked"},
		{"earlier version's claim", goimap.StoreFlagsAdd, ClaimPrefix, mailsrc.ErrClaimed, "looked"},
		{"unrelated change", goimap.StoreFlagsAdd, goimap.FlagFlagged, nil, "looked"},
		{"own keyword removed", goimap.StoreFlagsDel, own, errUnproven, "stored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dovecottest.Start(t, dovecottest.Options{})
			d.Append("Quarantine", testMessage(0))
			var waits int
			s := mustOpenDovecot(t, d, func(c *Config) {
				c.sleep = func(context.Context, time.Duration) error { waits++; return nil }
			})
			s.claimKeyword = own
			ids := listIDs(t, s)
			other := d.Client()
			defer other.Close()
			if _, err := other.Select("Quarantine", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			s.claimHook = func(step string) {
				if step == tt.step {
					if err := other.Store(goimap.UIDSetNum(1), &goimap.StoreFlags{Op: tt.op, Flags: []goimap.Flag{tt.flag}}, nil).Close(); err != nil {
						t.Error(err)
					}
				}
			}
			err := s.Release(context.Background(), ids[0], "")
			switch {
			case tt.wantErr == errUnproven:
				if err == nil || errors.Is(err, mailsrc.ErrNotFound) || !strings.Contains(err.Error(), "cannot be proven") {
					t.Fatalf("err = %v, want the claim refused as unproven", err)
				}
			case !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			released := 1
			if tt.wantErr != nil {
				released = 0
			}
			if n := len(d.Flags("Released")); n != released {
				t.Errorf("Released holds %d, want %d", n, released)
			}
			if f := d.Flags("Quarantine")[1]; slices.Contains(f, own) {
				t.Errorf("the quarantined message keeps this operator's keyword: %v", f)
			}
			t.Logf("%d waits for the rival to withdraw", waits)
		})
	}
}

// errUnproven stands, in TestDovecotClaimRace, for the refusal of a claim
// whose own keyword is not on the message.
var errUnproven = errors.New("unproven claim")

func TestDovecotRefusedMoveGivesClaimBack(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	d.Append("Quarantine", testMessage(0))
	s := mustOpenDovecot(t, d, nil)
	ids := listIDs(t, s)
	err := s.Release(context.Background(), ids[0], "NoSuchBox")
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("release to a missing mailbox: %v", err)
	}
	noClaimsLeft(t, d, "Quarantine")
	if err := s.Release(context.Background(), ids[0], ""); err != nil {
		t.Fatalf("release after a refused one: %v", err)
	}
}
