package imap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc/imap/dovecottest"
)

// TestDovecotClaimStoresAtOnce makes the two operators' stores reach
// Dovecot at the same moment, which no order of whole commands can do:
// both look, then the test holds the lock of the quarantine's transaction
// log (dovecot.index.log, an fcntl lock, Dovecot's default lock_method),
// lets both operators send their store, waits until the kernel shows both
// Dovecot processes waiting for that lock, and lets go. Each store was
// checked against its session's view before it queued for the lock, and
// commits after the other. Both then look again before either moves the
// message. The store the old claim relied on (one shared keyword,
// UNCHANGEDSINCE) answered OK without MODIFIED and changed nothing, both
// operators found the keyword and both moved the message: this test
// failed on that code. Exactly one may win, whichever keyword sorts first.
func TestDovecotClaimStoresAtOnce(t *testing.T) {
	for _, kw := range []struct {
		name string
		a, b goimap.Flag
	}{
		{"A<B", ClaimPrefix + "-aaaa", ClaimPrefix + "-bbbb"},
		{"B<A", ClaimPrefix + "-bbbb", ClaimPrefix + "-aaaa"},
	} {
		t.Run(kw.name, func(t *testing.T) {
			d := dovecottest.Start(t, dovecottest.Options{})
			d.Append("Quarantine", testMessage(0))
			a, b := mustOpenDovecot(t, d, nil), mustOpenDovecot(t, d, nil)
			a.claimKeyword, b.claimKeyword = kw.a, kw.b
			ids := listIDs(t, a)
			listIDs(t, b)
			opA, opB := newStepper("A", a, ids[0]), newStepper("B", b, ids[0])
			for _, p := range []*stepper{opA, opB} {
				if step := p.advance(t); step != "looked" {
					t.Fatalf("%s stopped at %q (%v), want looked", p.name, step, p.err)
				}
			}
			unlock := lockIndexLog(t, filepath.Join(d.Dir, "home", dovecottest.User, "Maildir", ".Quarantine", "dovecot.index.log"), 2, func() {
				opA.release(t)
				opB.release(t)
			})
			unlock()
			for _, p := range []*stepper{opA, opB} {
				p.steps = append(p.steps, "|") // the stores were let go
				if step := p.arrive(); step != "" && step != "stored" {
					t.Fatalf("%s stopped at %q after its store", p.name, step)
				}
			}
			// Both look again before either moves the message.
			for _, p := range []*stepper{opA, opB} {
				if !p.finished {
					p.advance(t)
				}
			}
			finish(t, opA, opB)
			oneWinner(t, d, opA, opB)
		})
	}
}

// lockIndexLog takes an fcntl write lock on path, runs start, and waits
// until waiters processes wait for that lock (as /proc/locks shows them);
// it returns the function that lets go of the lock.
func lockIndexLog(t *testing.T, path string, waiters int, start func()) func() {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("Dovecot's transaction log: %v", err)
	}
	lock := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lock); err != nil {
		f.Close()
		t.Fatal(err)
	}
	unlock := func() { f.Close() } // closing drops every fcntl lock on the file
	fi, err := f.Stat()
	if err != nil {
		unlock()
		t.Fatal(err)
	}
	ino := fmt.Sprintf(":%d ", fi.Sys().(*syscall.Stat_t).Ino)
	start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		locks, err := os.ReadFile("/proc/locks")
		if err != nil {
			unlock()
			t.Fatal(err)
		}
		n := 0
		for _, line := range strings.Split(string(locks), "\n") {
			if strings.Contains(line, "->") && strings.Contains(line, ino) {
				n++
			}
		}
		if n >= waiters {
			return unlock
		}
		if time.Now().After(deadline) {
			unlock()
			t.Fatalf("%d of %d Dovecot processes wait for the lock of %s after 30 s:\n%s", n, waiters, path, locks)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
