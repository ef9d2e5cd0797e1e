package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// newTestMaildir creates a Maildir with the files given as "sub/name" →
// content, and opens it.
func newTestMaildir(t *testing.T, files map[string]string) (string, *Maildir) {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for rel, content := range files {
		writeFile(t, dir, rel, content, time.Time{})
	}
	md, err := NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, md)
	return dir, md
}

func TestMaildirList(t *testing.T) {
	stamp := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000300.M3P1.host,S=61:2,S":  tinyMessage("third"),
		"new/1700000100.M1P1.host":           tinyMessage("first"),
		"cur/1700000200.M2P1.host:2,RS":      tinyMessage("second"),
		"cur/999.M0P1.host:2,":               tinyMessage("oldest, fewer digits"),
		"cur/no-stamp:2,":                    tinyMessage("no stamp sorts last"),
		"tmp/1700000000.M9P9.host":           tinyMessage("delivery in progress"),
		"cur/.hidden":                        tinyMessage("hidden"),
		"new/1700000400.M4P1.host":           tinyMessage("seen twice, new/ copy"),
		"cur/1700000400.M4P1.host:2,S":       tinyMessage("seen twice, cur/ copy"),
		"cur/sub/1700000000.M0P0.host:2,":    tinyMessage("in a folder"),
		"new/1700000500.M5P1.host:2,garbage": tinyMessage("info part in new/"),
	})
	mtime := filepath.Join(dir, "cur", "1700000200.M2P1.host:2,RS")
	if err := os.Chtimes(mtime, stamp, stamp); err != nil {
		t.Fatal(err)
	}

	for _, statAll := range []bool{false, true} {
		md.statAll = statAll
		checkMaildirList(t, md, statAll, stamp)
	}
}

// checkMaildirList checks TestMaildirList's listing, made with every file
// stat'ed or with none.
func checkMaildirList(t *testing.T, md *Maildir, statAll bool, stamp time.Time) {
	t.Helper()
	got := listAll(t, md)
	want := []model.MessageID{
		"999.M0P1.host",
		"1700000100.M1P1.host",
		"1700000200.M2P1.host",
		"1700000300.M3P1.host,S=61",
		"1700000400.M4P1.host",
		"1700000500.M5P1.host",
		"no-stamp",
	}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("IDs = %q\nwant %q", ids(got), want)
	}
	for _, e := range got {
		size := int64(len(readMessage(t, md, e.ID)))
		if !statAll && runtime.GOOS == "linux" {
			size = 0 // the listing read no metadata
		}
		if e.Err != nil || e.Size != size || e.Stamp == "" {
			t.Errorf("statAll %v: %s: Err %v, Size %d, want %d, Stamp %q", statAll, e.ID, e.Err, e.Size, size, e.Stamp)
		}
	}
	received := got[2].Received
	if !statAll && runtime.GOOS == "linux" {
		if !received.IsZero() {
			t.Errorf("Received = %v from a listing that read no metadata", received)
		}
		rc, err := md.Open(t.Context(), got[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		received = StoredAt(rc)
		rc.Close()
	}
	if !received.Equal(stamp) {
		t.Errorf("statAll %v: Received = %v, want the file's mtime %v", statAll, received, stamp)
	}
	if body := readMessage(t, md, "1700000400.M4P1.host"); !strings.Contains(body, "cur/ copy") {
		t.Errorf("the message in both folders opened as %q, want the cur/ copy", body)
	}
}

// TestMaildirIDSurvivesRename checks that a message keeps its ID and stays
// readable when a mail client changes its flags or moves it to cur/ after
// the listing, and that a removed one is reported gone.
func TestMaildirIDSurvivesRename(t *testing.T) {
	tests := []struct {
		name   string
		from   string
		to     string // "" removes the file
		opened bool
	}{
		{"flags added", "cur/1700000001.M1P1.host:2,", "cur/1700000001.M1P1.host:2,RS", true},
		{"moved out of new", "new/1700000001.M1P1.host", "cur/1700000001.M1P1.host:2,S", true},
		{"flags dropped", "cur/1700000001.M1P1.host:2,S", "cur/1700000001.M1P1.host", true},
		{"size suffix kept", "cur/1700000001.M1P1.host,S=70:2,", "cur/1700000001.M1P1.host,S=70:2,T", true},
		{"removed", "cur/1700000001.M1P1.host:2,", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, md := newTestMaildir(t, map[string]string{tt.from: tinyMessage(tt.name)})
			before := listAll(t, md)
			if len(before) != 1 {
				t.Fatalf("listed %d messages, want 1", len(before))
			}
			id := before[0].ID
			from := filepath.Join(dir, filepath.FromSlash(tt.from))
			var err error
			if tt.to == "" {
				err = os.Remove(from)
			} else {
				err = os.Rename(from, filepath.Join(dir, filepath.FromSlash(tt.to)))
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.opened {
				if _, err := md.Open(context.Background(), id); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Open after removal: %v, want ErrNotFound", err)
				}
				return
			}
			if body := readMessage(t, md, id); !strings.Contains(body, tt.name) {
				t.Errorf("opened %q", body)
			}
			after := listAll(t, md)
			if len(after) != 1 || after[0].ID != id {
				t.Errorf("after the rename the listing says %q, want [%q]", ids(after), id)
			}
		})
	}
}

func TestMaildirOpenRefusesForeignIDs(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{"cur/1.M1.host:2,": tinyMessage("x")})
	writeFile(t, dir, "secret", "Subject: not in cur or new\n", time.Time{})
	writeFile(t, dir, "cur/.hidden", "Subject: hidden\n", time.Time{})
	listAll(t, md)
	for _, id := range []model.MessageID{"", "../secret", "secret", ".hidden", "1.M1.host:2,", "cur/1.M1.host:2,", "2.M2.host", "1.M1"} {
		if _, err := md.Open(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func TestMaildirOpenWithoutListing(t *testing.T) {
	_, md := newTestMaildir(t, map[string]string{
		"cur/1.M1.host:2,S": tinyMessage("listed elsewhere"),
		"new/2.M2.host":     gzipped(t, tinyMessage("compressed by the server")),
	})
	if body := readMessage(t, md, "1.M1.host"); !strings.Contains(body, "listed elsewhere") {
		t.Errorf("opened %q", body)
	}
	if body := readMessage(t, md, "2.M2.host"); !strings.Contains(body, "compressed by the server") {
		t.Errorf("a gzip Maildir file opened as %q", body)
	}
}

func TestNewMaildirErrors(t *testing.T) {
	plain := t.TempDir()
	if _, err := NewMaildir(plain); err == nil || !strings.Contains(err.Error(), "not a Maildir") {
		t.Errorf("NewMaildir of a plain folder: %v", err)
	}
	missing := filepath.Join(plain, "gone")
	if _, err := NewMaildir(missing); !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "cannot open quarantine "+missing+": ") {
		t.Errorf("NewMaildir of a missing folder: %v", err)
	}
	onlyNew := t.TempDir()
	if err := os.Mkdir(filepath.Join(onlyNew, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	md, err := NewMaildir(onlyNew)
	if err != nil {
		t.Fatalf("a Maildir without cur/: %v", err)
	}
	defer md.Close()
	if got := listAll(t, md); len(got) != 0 {
		t.Errorf("listed %d messages in an empty Maildir", len(got))
	}
	if md.Name() != "maildir "+onlyNew {
		t.Errorf("Name = %q", md.Name())
	}
}

func TestMaildirListStops(t *testing.T) {
	files := map[string]string{}
	for i := range 3000 {
		files[fmt.Sprintf("cur/%d.M%dP1.host:2,", 1700000000+i, i)] = "Subject: x\n\n"
	}
	_, md := newTestMaildir(t, files)

	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := md.List(ctx, func(Entry) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 10 {
		t.Errorf("List after cancel: %v after %d entries, want context.Canceled after 10", err, n)
	}

	stop := errors.New("enough")
	n = 0
	err = md.List(context.Background(), func(Entry) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("List with a failing fn: %v after %d entries", err, n)
	}

	if err := md.List(ctx, func(Entry) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a done context: %v", err)
	}
}

// BenchmarkMaildirList lists a Maildir of 20,000 tiny messages, the size of
// a busy quarantine, or the Maildir named by MXAUDIT_BENCH_MAILDIR (read
// only: for the figures at 100,000 and 1,000,000 messages).
func BenchmarkMaildirList(b *testing.B) {
	dir, n := os.Getenv("MXAUDIT_BENCH_MAILDIR"), 20000
	if dir == "" {
		dir = benchMaildir(b, n)
	}
	md, err := NewMaildir(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer md.Close()
	b.Run("all", func(b *testing.B) {
		loopWithCPU(b, func() {
			count := 0
			if err := md.List(context.Background(), func(Entry) error { count++; return nil }); err != nil {
				b.Fatal(err)
			}
			if count != n && os.Getenv("MXAUDIT_BENCH_MAILDIR") == "" {
				b.Fatalf("listed %d, want %d", count, n)
			}
			b.ReportMetric(float64(count), "messages")
		})
	})
	// The time to the first entry: what a screen waits before it can draw.
	b.Run("first", func(b *testing.B) {
		first := errors.New("first entry")
		loopWithCPU(b, func() {
			if err := md.List(context.Background(), func(Entry) error { return first }); err != first {
				b.Fatal(err)
			}
		})
	})
}

// benchMaildir writes a Maildir of n tiny messages, a tenth in new/.
func benchMaildir(b *testing.B, n int) string {
	dir := b.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		sub, name := "cur", fmt.Sprintf("%d.M%dP%d.mx1.example.com,S=60:2,S", 1700000000+i/3, i, 4000+i%7)
		if i%10 == 0 {
			sub, name = "new", fmt.Sprintf("%d.M%dP%d.mx1.example.com,S=60", 1700000000+i/3, i, 4000+i%7)
		}
		if err := os.WriteFile(filepath.Join(dir, sub, name), []byte("Subject: x\n\nhi\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}
