package mailsrc

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mxaudit/model"
)

// mboxPart is one piece of a test mbox: a From_ line (may be empty: no
// From_ line), the message as stored, and the message Open must return
// ("" = the part is not a message of its own).
type mboxPart struct {
	from, stored, want string
}

// buildMbox writes the parts, each followed by sep, and returns the path
// and the ID each message must get.
func buildMbox(t *testing.T, parts []mboxPart, sep string) (string, []model.MessageID) {
	t.Helper()
	var b strings.Builder
	var want []model.MessageID
	for _, p := range parts {
		b.WriteString(p.from)
		if p.want != "" {
			want = append(want, model.MessageID(strconv.Itoa(b.Len())))
		}
		b.WriteString(p.stored)
		b.WriteString(sep)
	}
	path := writeFile(t, t.TempDir(), "quarantine.mbox", b.String(), time.Time{})
	return path, want
}

func TestMbox(t *testing.T) {
	const from = "From MAILER-DAEMON Mon Mar  7 14:23:23 2011\n"
	plain := tinyMessage("plain")
	tests := []struct {
		name  string
		parts []mboxPart
		sep   string // appended after every part, usually the blank line writers add
	}{
		{"three messages", []mboxPart{
			{from, plain, plain},
			{from, tinyMessage("second"), tinyMessage("second")},
			{"From <> Tue Mar  8 01:02:03 2011\n", tinyMessage("third"), tinyMessage("third")},
		}, "\n"},
		{"mboxrd quoting undone", []mboxPart{
			{from, "Subject: q\n\n>From the start\n>>From quoted\n>>>From deeper\n> From no\n>Fromage\nFrom\n", "Subject: q\n\nFrom the start\n>From quoted\n>>From deeper\n> From no\n>Fromage\nFrom\n"},
			{from, plain, plain},
		}, "\n"},
		{"CRLF", []mboxPart{
			{"From a@example.com Mon Mar  7 14:23:23 2011\r\n", "Subject: one\r\n\r\n>From here\r\nbody\r\n", "Subject: one\r\n\r\nFrom here\r\nbody\r\n"},
			{"From b@example.com Mon Mar  7 14:23:24 2011\r\n", "Subject: two\r\n\r\nbody\r\n", "Subject: two\r\n\r\nbody\r\n"},
		}, "\r\n"},
		{"unquoted From in a body is not a separator", []mboxPart{
			// mboxrd would have written ">From here on"; a sloppy writer did
			// not. The next line is prose, not a header: no new message.
			{from, "Subject: sloppy\n\nHello,\n\nFrom here on we use the new server.\nBye.\n", "Subject: sloppy\n\nHello,\n\nFrom here on we use the new server.\nBye.\n"},
			{from, plain, plain},
		}, "\n"},
		{"obsolete From header is not a separator", []mboxPart{
			{from, "Subject: obs\nFrom  : John Doe <jdoe@example.com>\nTo: x@example.org\n\nbody\n", "Subject: obs\nFrom  : John Doe <jdoe@example.com>\nTo: x@example.org\n\nbody\n"},
		}, "\n"},
		{"no blank line between messages", []mboxPart{
			{from, "Subject: a\n\nbody a\n", "Subject: a\n\nbody a\n"},
			{from, "Subject: b\n\nbody b\n", "Subject: b\n\nbody b\n"},
		}, ""},
		{"no final newline", []mboxPart{
			{from, plain, plain},
			{from, "Subject: last\n\nno newline at the end", "Subject: last\n\nno newline at the end"},
		}, ""},
		{"a message without a From_ line", []mboxPart{
			// Kept whole, final blank line included: no From_ line, no
			// mbox framing.
			{"", "Return-Path: <a@example.com>\nSubject: saved alone\n\nbody\n\n", "Return-Path: <a@example.com>\nSubject: saved alone\n\nbody\n\n"},
		}, ""},
		{"blank lines before the first From_ line", []mboxPart{
			{"", "\n\n", ""},
			{from, plain, plain},
		}, "\n"},
		{"a byte order mark", []mboxPart{
			{"\uFEFF" + from, plain, plain},
			{from, plain, plain},
		}, "\n"},
		{"a message without a From_ line, after a byte order mark", []mboxPart{
			{"\uFEFF", plain, plain},
		}, ""},
		{"a From_ line with nothing after it", []mboxPart{
			{from, plain, plain},
			{from, "", ""},
		}, ""},
		{"a line longer than the read buffer", []mboxPart{
			{from, "Subject: long\n\n" + strings.Repeat("x", mboxLineBuffer+10) + "From inside a long line\nSubject: not a header\n", "Subject: long\n\n" + strings.Repeat("x", mboxLineBuffer+10) + "From inside a long line\nSubject: not a header\n"},
			{"From " + strings.Repeat("y", mboxLineBuffer) + "\n", plain, plain},
		}, "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, wantIDs := buildMbox(t, tt.parts, tt.sep)
			mb, err := NewMbox(path)
			if err != nil {
				t.Fatal(err)
			}
			mustClose(t, mb)
			entries := listAll(t, mb)
			if !slices.Equal(ids(entries), wantIDs) {
				t.Fatalf("IDs = %q, want %q", ids(entries), wantIDs)
			}
			i := 0
			for _, p := range tt.parts {
				if p.want == "" {
					continue
				}
				e := entries[i]
				i++
				if e.Err != nil || e.Size != int64(len(p.stored)) {
					t.Errorf("%s: Err %v, Size %d, want %d", e.ID, e.Err, e.Size, len(p.stored))
				}
				if got := readMessage(t, mb, e.ID); got != p.want {
					t.Errorf("%s: Open =\n%q\nwant\n%q", e.ID, got, p.want)
				}
			}
		})
	}
}

func TestMboxLeadingText(t *testing.T) {
	path := writeFile(t, t.TempDir(), "odd.mbox",
		"This is not a message.\n\nFrom a@example.com Mon Mar  7 14:23:23 2011\nSubject: real\n\nbody\n", time.Time{})
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	entries := listAll(t, mb)
	if len(entries) != 2 || entries[0].ID != "0" || !errors.Is(entries[0].Err, ErrNotMail) || entries[1].Err != nil {
		t.Fatalf("entries = %+v, want the leading text flagged ErrNotMail, then one message", entries)
	}
}

func TestMboxReceived(t *testing.T) {
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	path := writeFile(t, t.TempDir(), "dates.mbox", ""+
		"From a@example.com Mon Mar  7 14:23:23 2011\nSubject: asctime\n\n"+
		"From b@example.com Tue Mar 8 01:02:03 2011 +0100\nSubject: with a zone\n\n"+
		"From c@example.com yesterday\nSubject: no date\n\n", mtime)
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	entries := listAll(t, mb)
	want := []time.Time{
		time.Date(2011, 3, 7, 14, 23, 23, 0, time.Local),
		time.Date(2011, 3, 8, 0, 2, 3, 0, time.UTC),
		mtime,
	}
	if len(entries) != len(want) {
		t.Fatalf("listed %d messages, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		if !e.Received.Equal(want[i]) {
			t.Errorf("%s: Received %v, want %v", e.ID, e.Received, want[i])
		}
	}
}

func TestMboxOpenNotFound(t *testing.T) {
	path, want := buildMbox(t, []mboxPart{
		{"From a Mon Mar  7 14:23:23 2011\n", tinyMessage("one"), "x"},
		{"From a Mon Mar  7 14:23:23 2011\n", tinyMessage("two"), "x"},
	}, "\n")
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	if _, err := mb.Open(context.Background(), want[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open before any listing: %v, want ErrNotFound", err)
	}
	listAll(t, mb)
	for _, id := range []model.MessageID{"0", "1", "032", "+32", "-1", "", "abc", "99999999999999999999", want[1] + " "} {
		if _, err := mb.Open(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

// TestMboxReplaced checks that a mail client rewriting the mbox (a new file
// renamed over the old one) neither breaks a reader opened before nor hides
// the new contents from the next listing.
func TestMboxReplaced(t *testing.T) {
	path, want := buildMbox(t, []mboxPart{
		{"From a Mon Mar  7 14:23:23 2011\n", tinyMessage("old one"), "x"},
		{"From a Mon Mar  7 14:23:23 2011\n", tinyMessage("old two"), "x"},
	}, "\n")
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	listAll(t, mb)
	before, err := mb.Open(context.Background(), want[1])
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	next := filepath.Join(filepath.Dir(path), "new.mbox")
	writeFile(t, filepath.Dir(path), "new.mbox", "From b Mon Mar  7 14:23:23 2011\n"+tinyMessage("new"), time.Time{})
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
	entries := listAll(t, mb)
	if len(entries) != 1 || !strings.Contains(readMessage(t, mb, entries[0].ID), "new") {
		t.Fatalf("after the rewrite: %+v", entries)
	}
	if _, err := mb.Open(context.Background(), want[1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open of an ID of the old file: %v, want ErrNotFound", err)
	}
	if old, err := io.ReadAll(before); err != nil || !strings.Contains(string(old), "old two") {
		t.Errorf("a reader opened before the rewrite read %q, %v", old, err)
	}
}

// TestMboxOpenWhileListing opens every message from other goroutines while
// the listing is still running (run with -race).
func TestMboxOpenWhileListing(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		b.WriteString("From a Mon Mar  7 14:23:23 2011\n" + tinyMessage(strconv.Itoa(i)) + "\n")
	}
	path := writeFile(t, t.TempDir(), "big.mbox", b.String(), time.Time{})
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	ids := make(chan model.MessageID)
	var wg sync.WaitGroup
	var mu sync.Mutex
	opened := 0
	for range 4 {
		wg.Go(func() {
			for id := range ids {
				body := readMessage(t, mb, id)
				mu.Lock()
				if strings.HasPrefix(body, "From: ") {
					opened++
				}
				mu.Unlock()
			}
		})
	}
	err = mb.List(context.Background(), func(e Entry) error {
		ids <- e.ID
		return nil
	})
	close(ids)
	wg.Wait()
	if err != nil || opened != 500 {
		t.Errorf("List: %v; opened %d of 500 while listing", err, opened)
	}
}

func TestMboxListStops(t *testing.T) {
	var b strings.Builder
	for range 10 {
		b.WriteString("From a Mon Mar  7 14:23:23 2011\n" + tinyMessage("x") + "\n")
	}
	path := writeFile(t, t.TempDir(), "ten.mbox", b.String(), time.Time{})
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = mb.List(ctx, func(Entry) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 3 {
		t.Errorf("List after cancel: %v after %d entries", err, n)
	}
	if got := listAll(t, mb); len(got) != 10 {
		t.Errorf("the next listing found %d messages, want 10", len(got))
	}
}

// TestMboxIndexSurvivesCancel checks that every ID a listing handed out
// stays readable while later listings are cancelled or still running.
func TestMboxIndexSurvivesCancel(t *testing.T) {
	var b strings.Builder
	for i := range 10 {
		b.WriteString("From a Mon Mar  7 14:23:23 2011\n" + tinyMessage(strconv.Itoa(i)) + "\n")
	}
	path := writeFile(t, t.TempDir(), "ten.mbox", b.String(), time.Time{})
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	all := ids(listAll(t, mb))
	stopAfter := func(n int, check func()) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		seen := 0
		mb.List(ctx, func(Entry) error {
			check()
			if seen++; seen == n {
				cancel()
			}
			return nil
		})
	}
	last := all[len(all)-1]
	stopAfter(3, func() {})
	if !strings.Contains(readMessage(t, mb, last), "Subject: 9") {
		t.Error("the last message is unreadable after a cancelled listing")
	}
	// A second cancelled listing, then one that opens the last message
	// before reaching it.
	stopAfter(2, func() {})
	stopAfter(1, func() {
		if !strings.Contains(readMessage(t, mb, last), "Subject: 9") {
			t.Error("the last message is unreadable while a listing runs")
		}
	})
}
