package console

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/ui/app"
)

// demoApp opens spec through the application core with cfg, against the
// demo's DNS zone, as "mxaudit demo" does.
func demoApp(t *testing.T, ctx context.Context, spec string, cfg app.Config, opts app.Options) *app.App {
	t.Helper()
	opts.Resolver = auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))
	a, err := app.Open(ctx, spec, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// consoleDriver runs a console model as a program would, minus the
// terminal: commands in goroutines, their messages back to Update on the
// test's goroutine, so that the watch's long-lived command can run.
type consoleDriver struct {
	t    *testing.T
	m    tea.Model
	msgs chan tea.Msg
}

func (d *consoleDriver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

func (d *consoleDriver) send(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// frame is the console's screen as text.
func (d *consoleDriver) frame() string { return ansi.Strip(d.m.View().Content) }

// waitFor feeds messages to Update until the screen satisfies ok.
func (d *consoleDriver) waitFor(what string, ok func(frame string) bool) {
	d.t.Helper()
	timeout := time.After(30 * time.Second)
	for !ok(d.frame()) {
		select {
		case msg := <-d.msgs:
			if batch, isBatch := msg.(tea.BatchMsg); isBatch {
				for _, c := range batch {
					d.exec(c)
				}
				continue
			}
			d.send(msg)
		case <-timeout:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.frame())
		}
	}
}

// TestConsoleFollowsIMAPFolder runs the console's real wiring against
// Dovecot (IDLE): a message appended on the server appears in the list, an
// expunged one leaves it with a note, and v verifies DKIM on a message the
// summarising scan left unverified.
func TestConsoleFollowsIMAPFolder(t *testing.T) {
	srv := dovecottest.Start(t, dovecottest.Options{})
	picked := plainSamples(t, 3)
	srv.Append("Quarantine", picked[0].Raw, picked[1].Raw)
	t.Setenv(imap.PasswordEnv, dovecottest.Password)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := app.Config{Flags: app.Flags{CAFile: srv.CAFile}, TrustedHosts: []string{demo.TrustedMTA}}
	url := "imaps://" + dovecottest.User + "@" + srv.TLSAddr + "/Quarantine"
	a := demoApp(t, ctx, url, cfg, app.Options{})
	uc := ConfigFor(app.NewWorkspace(a, nil, nil))
	if uc.Live == nil || uc.Verifier == nil {
		t.Fatal("an IMAP console lacks live updates or verification")
	}
	d := &consoleDriver{t: t, m: New(uc), msgs: make(chan tea.Msg, 1024)}
	d.send(tea.WindowSizeMsg{Width: 220, Height: 40})
	d.exec(d.m.Init())
	// Subjects are cut to fit their column: look for their start.
	shown := func(s demo.Sample) func(string) bool {
		return func(f string) bool { return strings.Contains(f, s.Want.Subject[:16]) }
	}
	d.waitFor("the first scan", func(f string) bool {
		return shown(picked[0])(f) && shown(picked[1])(f) && strings.Contains(f, "scan complete")
	})

	srv.Append("Quarantine", picked[2].Raw)
	d.waitFor("the appended message", shown(picked[2]))

	// Another operator expunges the first message (UID 1).
	c := srv.Client()
	if _, err := c.Select("Quarantine", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	store := c.Store(goimap.UIDSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
	d.waitFor("the departure", func(f string) bool {
		return !shown(picked[0])(f) && strings.Contains(f, "1 message left the folder (another operator?)")
	})
	if !shown(picked[1])(d.frame()) || !shown(picked[2])(d.frame()) {
		t.Fatalf("a message that stayed left the list:\n%s", d.frame())
	}

	// v fetches the selected message whole and verifies its signature.
	d.send(tea.KeyPressMsg{Code: 'v', Text: "v"})
	d.waitFor("the verification", func(f string) bool { return strings.Contains(f, "DKIM verified: ") })
	if f := d.frame(); !strings.Contains(f, "DKIM verified: pass (d=") && !strings.Contains(f, "DKIM verified: fail (d=") {
		t.Errorf("verification note without a live result:\n%s", f)
	}
	d.send(tea.KeyPressMsg{Code: 'q', Text: "q"})
}

// TestConsoleFollowsMaildir checks the polling watcher's wiring: a file
// delivered into new/ appears, a deleted one leaves with the note.
func TestConsoleFollowsMaildir(t *testing.T) {
	picked := plainSamples(t, 3)
	dir := t.TempDir()
	if err := demo.WriteMaildir(dir, picked[:2]); err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{TrustedHosts: []string{demo.TrustedMTA}}
	a := demoApp(t, t.Context(), dir, cfg, app.Options{PollInterval: 100 * time.Millisecond})
	uc := ConfigFor(app.NewWorkspace(a, nil, nil))
	if uc.Live == nil {
		t.Fatal("a Maildir console has no live updates")
	}
	d := &consoleDriver{t: t, m: New(uc), msgs: make(chan tea.Msg, 1024)}
	d.send(tea.WindowSizeMsg{Width: 220, Height: 40})
	d.exec(d.m.Init())
	shown := func(s demo.Sample) func(string) bool {
		return func(f string) bool { return strings.Contains(f, s.Want.Subject[:16]) }
	}
	d.waitFor("the first scan", func(f string) bool { return shown(picked[0])(f) && shown(picked[1])(f) })

	if err := os.WriteFile(filepath.Join(dir, "new", picked[2].Name), picked[2].Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the delivered message", shown(picked[2]))

	gone, err := filepath.Glob(filepath.Join(dir, "*", picked[0].Name+"*"))
	if err != nil || len(gone) != 1 {
		t.Fatalf("cannot find %s in the Maildir: %v %v", picked[0].Name, gone, err)
	}
	if err := os.Remove(gone[0]); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the departure", func(f string) bool {
		return !shown(picked[0])(f) && strings.Contains(f, "1 message left the folder (another operator?)")
	})
	d.send(tea.KeyPressMsg{Code: 'q', Text: "q"})
}

// plainSamples picks n demo mails with one DKIM signature and a plain
// ASCII subject long enough to find on screen.
func plainSamples(t *testing.T, n int) []demo.Sample {
	t.Helper()
	var picked []demo.Sample
	for _, s := range demo.Samples(demo.Options{}) {
		subj := s.Want.Subject
		if !s.Want.Malformed && len(subj) >= 16 && isPlainASCII(subj) && len(s.Want.Auth.DKIM) == 1 {
			picked = append(picked, s)
		}
		if len(picked) == n {
			return picked
		}
	}
	t.Fatalf("the demo has fewer than %d signed mails with plain subjects", n)
	return nil
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
