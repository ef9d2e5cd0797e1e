package imap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
)

// openDovecot opens Quarantine on d through url (built from addr).
func openDovecot(t *testing.T, d *dovecottest.Server, scheme, addr string, tweak func(*Config)) (*Source, error) {
	t.Helper()
	t.Setenv(PasswordEnv, dovecottest.Password)
	cfg := Config{
		URL:            scheme + "://" + dovecottest.User + "@" + addr + "/Quarantine",
		CAFile:         d.CAFile,
		ReleaseMailbox: "Released",
		Logf:           t.Logf,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := Open(context.Background(), cfg)
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

func mustOpenDovecot(t *testing.T, d *dovecottest.Server, tweak func(*Config)) *Source {
	t.Helper()
	s, err := openDovecot(t, d, "imaps", d.TLSAddr, tweak)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestDovecotTLS(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	d.Append("Quarantine", testMessage(1))
	tests := []struct {
		name    string
		scheme  string
		addr    string
		tweak   func(*Config)
		wantErr string
	}{
		{"imaps refused without --ca", "imaps", d.TLSAddr, func(c *Config) { c.CAFile = "" }, "not trusted"},
		{"STARTTLS refused without --ca", "imap", d.Addr, func(c *Config) { c.CAFile = "" }, "--ca FILE"},
		{"imaps accepted with --ca", "imaps", d.TLSAddr, nil, ""},
		{"STARTTLS accepted with --ca", "imap", d.Addr, nil, ""},
		{"wrong password", "imaps", d.TLSAddr, func(c *Config) { t.Setenv(PasswordEnv, "wrong-"+dovecottest.Password) }, "login as"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := openDovecot(t, d, tt.scheme, tt.addr, tt.tweak)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), dovecottest.Password) {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := len(listIDs(t, s)); n != 1 {
				t.Fatalf("listed %d messages", n)
			}
		})
	}
}

func TestDovecotSummariesAndNoSeen(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	var raws [][]byte
	for i := 0; i < 4*numKinds; i++ {
		raws = append(raws, testMessage(i))
	}
	d.Append("Quarantine", raws...)
	s := mustOpenDovecot(t, d, func(c *Config) { c.Batch = 7 })
	var sums []mailsrc.Summary
	if err := s.ListSummaries(context.Background(), needArchives, func(sum mailsrc.Summary) error { sums = append(sums, sum); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(sums) != len(raws) {
		t.Fatalf("%d summaries, want %d", len(sums), len(raws))
	}
	for i, sum := range sums {
		if i == kindNested {
			// Dovecot passes RFC 2231 parameters through undecoded.
			if pdf := sum.Elided[len(sum.Elided)-1]; pdf.Filename != "請求書.pdf" {
				t.Errorf("PartInfo of the RFC 2231-named PDF: %+v", pdf)
			}
		}
		orig, rebuilt := parseParts(t, raws[i]), parseParts(t, sum.Message)
		if len(orig) != len(rebuilt) {
			t.Fatalf("message %d: %d parts rebuilt, want %d", i, len(rebuilt), len(orig))
		}
		for j := range orig {
			if orig[j].filename != rebuilt[j].filename || orig[j].contentType != rebuilt[j].contentType {
				t.Errorf("message %d part %d: %q %q, want %q %q", i, j, rebuilt[j].filename, rebuilt[j].contentType, orig[j].filename, orig[j].contentType)
			}
			if orig[j].contentType == "application/zip" && string(orig[j].body) != string(rebuilt[j].body) {
				t.Errorf("message %d part %d: zip body differs", i, j)
			}
		}
		rc, err := s.Open(context.Background(), sum.Entry.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	for uid, flags := range d.Flags("Quarantine") {
		for _, f := range flags {
			if f == goimap.FlagSeen {
				t.Errorf("UID %d is \\Seen after listing and opening", uid)
			}
		}
	}
}

func TestDovecotMoveAndCopyFallback(t *testing.T) {
	for _, noMove := range []bool{false, true} {
		t.Run(fmt.Sprintf("noMove=%v", noMove), func(t *testing.T) {
			d := dovecottest.Start(t, dovecottest.Options{NoMove: noMove})
			d.Append("Quarantine", testMessage(0), testMessage(1), testMessage(2))
			s := mustOpenDovecot(t, d, nil)
			ids := listIDs(t, s)
			op := d.Client()
			defer op.Close()
			if _, err := op.Select("Quarantine", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			if err := op.Store(goimap.UIDSetNum(3), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Release(context.Background(), ids[0], ""); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(context.Background(), ids[1]); err != nil {
				t.Fatal(err)
			}
			if err := s.Release(context.Background(), ids[0], ""); !errors.Is(err, mailsrc.ErrNotFound) {
				t.Errorf("second release: %v, want ErrNotFound", err)
			}
			left := d.Flags("Quarantine")
			if _, ok := left[3]; len(left) != 1 || !ok {
				t.Errorf("quarantine holds %v, want only UID 3 (another operator's \\Deleted)", left)
			}
			if n := len(d.Flags("Released")); n != 1 {
				t.Errorf("Released holds %d", n)
			}
			if n := len(d.Flags("Trash")); n != 1 {
				t.Errorf("Trash holds %d", n)
			}
		})
	}
}

func TestDovecotRestartMidListing(t *testing.T) {
	d := dovecottest.Start(t, dovecottest.Options{})
	const n = 600
	var raws [][]byte
	for i := 0; i < n; i++ {
		raws = append(raws, testMessage(i))
	}
	d.Append("Quarantine", raws...)
	s := mustOpenDovecot(t, d, func(c *Config) { c.Batch = 100 })
	seen := map[model.MessageID]bool{}
	err := s.ListSummaries(context.Background(), needArchives, func(sum mailsrc.Summary) error {
		if seen[sum.Entry.ID] {
			return fmt.Errorf("duplicate %s", sum.Entry.ID)
		}
		seen[sum.Entry.ID] = true
		if len(seen) == 250 {
			d.Restart()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("listed %d, want %d", len(seen), n)
	}
	if c := s.Stats().Connections; c < 2 {
		t.Fatalf("%d connections: the restart was not noticed", c)
	}
}

func TestDovecotWatch(t *testing.T) {
	for _, noIdle := range []bool{false, true} {
		t.Run(fmt.Sprintf("noIdle=%v", noIdle), func(t *testing.T) {
			d := dovecottest.Start(t, dovecottest.Options{NoIdle: noIdle})
			d.Append("Quarantine", testMessage(0))
			s := mustOpenDovecot(t, d, func(c *Config) { c.PollInterval = 200 * time.Millisecond })
			ids := listIDs(t, s)
			ch, stop := watchChanges(t, s)
			time.Sleep(300 * time.Millisecond)
			d.Append("Quarantine", testMessage(1))
			if c := nextChange(t, ch); c.Kind != mailsrc.Added || c.IDs[0] != sameValidity(ids[0], 2) {
				t.Fatalf("change %+v, want Added of UID 2", c)
			}
			op := d.Client()
			defer op.Close()
			op.Select("Quarantine", nil).Wait()
			if _, err := op.Move(goimap.UIDSetNum(1), "Released").Wait(); err != nil {
				t.Fatal(err)
			}
			if c := nextChange(t, ch); c.Kind != mailsrc.Removed || c.IDs[0] != ids[0] {
				t.Fatalf("change %+v, want Removed of %s", c, ids[0])
			}
			if err := stop(); !errors.Is(err, context.Canceled) {
				t.Fatalf("Watch: %v", err)
			}
		})
	}
}
