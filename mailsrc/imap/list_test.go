package imap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

func TestListInBatches(t *testing.T) {
	m := newMemServer(t, capsRev2)
	const n = 1250
	for i := 0; i < n; i++ {
		m.add(t, "Quarantine", testMessage(i))
	}
	s := m.open(t, "Quarantine", func(c *Config) { c.Batch = 500 })
	before := s.Stats()
	var got []mailsrc.Entry
	if err := s.List(context.Background(), func(e mailsrc.Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("listed %d, want %d", len(got), n)
	}
	for i, e := range got {
		if want := fmt.Sprintf("/%d", i+1); !strings.HasSuffix(string(e.ID), want) || strings.HasPrefix(string(e.ID), "0/") {
			t.Fatalf("entry %d has ID %q", i, e.ID)
		}
		if e.Size != int64(len(testMessage(i))) {
			t.Fatalf("entry %d size %d, want %d", i, e.Size, len(testMessage(i)))
		}
		if e.Received.Year() != 2026 {
			t.Fatalf("entry %d received %v", i, e.Received)
		}
	}
	// One UID SEARCH and three UID FETCH (500, 500, 250).
	if cmds := s.Stats().Commands - before.Commands; cmds != 4 {
		t.Errorf("listing took %d commands, want 4", cmds)
	}
}

func TestListStopsOnCallbackError(t *testing.T) {
	m := newMemServer(t, capsRev2)
	for i := 0; i < 30; i++ {
		m.add(t, "Quarantine", testMessage(i))
	}
	s := m.open(t, "Quarantine", func(c *Config) { c.Batch = 10 })
	stop := errors.New("enough")
	calls := 0
	err := s.List(context.Background(), func(mailsrc.Entry) error {
		calls++
		if calls == 12 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 12 {
		t.Fatalf("err = %v after %d calls, want the callback's error after 12", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = s.List(ctx, func(mailsrc.Entry) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled List returned %v", err)
	}
}

func TestReconnectMidListingNoDuplicates(t *testing.T) {
	m := newMemServer(t, capsRev2)
	const n = 2000
	for i := 0; i < n; i++ {
		m.add(t, "Quarantine", testMessage(i))
	}
	s := m.open(t, "Quarantine", func(c *Config) { c.Batch = 100 })
	var ids []model.MessageID
	seen := map[model.MessageID]bool{}
	err := s.List(context.Background(), func(e mailsrc.Entry) error {
		if seen[e.ID] {
			t.Fatalf("duplicate %s", e.ID)
		}
		seen[e.ID] = true
		ids = append(ids, e.ID)
		if len(ids) == 250 || len(ids) == 1100 {
			m.proxy.cut() // the server goes away while the caller works
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != n {
		t.Fatalf("listed %d, want %d", len(ids), n)
	}
	for i, id := range ids {
		if !strings.HasSuffix(string(id), fmt.Sprintf("/%d", i+1)) {
			t.Fatalf("entry %d is %s: out of order", i, id)
		}
	}
	if c := s.Stats().Connections; c != 3 {
		t.Errorf("%d connections, want 3 (two reconnections)", c)
	}
}

func TestUIDValidityChange(t *testing.T) {
	m := newMemServer(t, capsRev2)
	m.add(t, "Quarantine", testMessage(0))
	s := m.open(t, "Quarantine", nil)
	var old []model.MessageID
	if err := s.List(context.Background(), func(e mailsrc.Entry) error { old = append(old, e.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	// The mailbox is recreated behind our back.
	if err := m.user.Delete("Quarantine"); err != nil {
		t.Fatal(err)
	}
	m.user.Create("Quarantine", nil)
	for i := 1; i <= 3; i++ {
		m.add(t, "Quarantine", testMessage(i))
	}
	m.proxy.cut()
	err := s.List(context.Background(), func(mailsrc.Entry) error { return nil })
	if !errors.Is(err, ErrUIDValidityChanged) {
		t.Fatalf("List after the change: %v, want ErrUIDValidityChanged", err)
	}
	var fresh []model.MessageID
	if err := s.List(context.Background(), func(e mailsrc.Entry) error { fresh = append(fresh, e.ID); return nil }); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if len(fresh) != 3 || fresh[0] == old[0] {
		t.Fatalf("reloaded %v (old %v)", fresh, old)
	}
	_, err = s.Open(context.Background(), old[0])
	if !errors.Is(err, mailsrc.ErrNotFound) || !errors.Is(err, ErrUIDValidityChanged) {
		t.Fatalf("Open of a stale ID: %v", err)
	}
}

func TestOpenWholeMessageAndMissing(t *testing.T) {
	m := newMemServer(t, capsRev2)
	uid := m.add(t, "Quarantine", testMessage(1))
	s := m.open(t, "Quarantine", nil)
	var id model.MessageID
	s.List(context.Background(), func(e mailsrc.Entry) error { id = e.ID; return nil })
	rc, err := s.Open(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rc)
	rc.Close()
	if string(raw) != string(testMessage(1)) {
		t.Fatalf("Open returned %d bytes, not the message", len(raw))
	}
	missing := model.MessageID(strings.Replace(string(id), fmt.Sprintf("/%d", uid), "/999", 1))
	for _, bad := range []model.MessageID{missing, "junk", "1/0", "x/1"} {
		if _, err := s.Open(context.Background(), bad); !errors.Is(err, mailsrc.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}

func TestNothingSetsSeen(t *testing.T) {
	m := newMemServer(t, capsRev2)
	for i := 0; i < numKinds; i++ {
		m.add(t, "Quarantine", testMessage(i))
	}
	s := m.open(t, "Quarantine", nil)
	var ids []model.MessageID
	s.List(context.Background(), func(e mailsrc.Entry) error { ids = append(ids, e.ID); return nil })
	s.ListSummaries(context.Background(), func(model.PartInfo) bool { return true }, func(mailsrc.Summary) error { return nil })
	for _, id := range ids {
		rc, err := s.Open(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	sent := m.proxy.sent()
	if !strings.Contains(sent, "EXAMINE") || strings.Contains(sent, "SELECT") {
		t.Errorf("the reader must EXAMINE, never SELECT:\n%s", sent)
	}
	if strings.Contains(strings.ReplaceAll(sent, "BODY.PEEK[", ""), "BODY[") {
		t.Errorf("a fetch without PEEK was sent:\n%s", sent)
	}
	if !strings.Contains(sent, "AUTHENTICATE PLAIN") || strings.Contains(sent, memPassword) {
		t.Errorf("want AUTHENTICATE PLAIN, the password never in a LOGIN line")
	}
}

func TestAuthFailureIsClearAndFast(t *testing.T) {
	m := newMemServer(t, capsRev2)
	t.Setenv(PasswordEnv, "wrong-"+memPassword)
	attempts := 0
	_, err := Open(context.Background(), Config{
		URL: m.url("Quarantine"), InsecurePlaintext: true,
		sleep: func(context.Context, time.Duration) error { attempts++; return nil },
	})
	if err == nil || !strings.Contains(err.Error(), "login as") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), memPassword) {
		t.Fatalf("error leaks the password: %v", err)
	}
	if attempts != 0 {
		t.Fatalf("a failed login was retried %d times", attempts)
	}
}

func TestMissingMailboxAndPlaintextRefused(t *testing.T) {
	m := newMemServer(t, capsRev2)
	t.Setenv(PasswordEnv, memPassword)
	_, err := Open(context.Background(), Config{URL: m.url("Nope"), InsecurePlaintext: true})
	if err == nil || !strings.Contains(err.Error(), `"Nope"`) {
		t.Fatalf("missing mailbox: %v", err)
	}
	// Without --insecure-plaintext, imap:// demands STARTTLS, which this
	// server does not offer: no silent fallback to clear text.
	_, err = Open(context.Background(), Config{URL: m.url("Quarantine")})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("plaintext without the flag: %v", err)
	}
	if strings.Contains(m.proxy.sent(), memPassword) {
		t.Fatalf("the password was sent although TLS was refused")
	}
}
