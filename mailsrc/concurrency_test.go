package mailsrc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mxaudit/model"
)

// TestOpenWhileListing opens every message from several goroutines while
// the listing that reports them is still running, for each kind of source
// (run with -race), and checks each message's bytes.
func TestOpenWhileListing(t *testing.T) {
	const n = 600
	maildir := t.TempDir()
	tree := t.TempDir()
	var mbox strings.Builder
	for i := range n {
		msg := tinyMessage(fmt.Sprintf("message %d", i))
		writeFile(t, maildir, fmt.Sprintf("cur/%d.M%d.host:2,S", 1700000000+i, i), msg, time.Time{})
		writeFile(t, tree, fmt.Sprintf("%03d/spam-%d.gz", i%7, i), gzipped(t, msg), time.Time{})
		mbox.WriteString("From a Mon Mar  7 14:23:23 2011\n" + msg + "\n")
	}
	mboxPath := writeFile(t, t.TempDir(), "q.mbox", mbox.String(), time.Time{})

	for _, path := range []string{maildir, tree, mboxPath} {
		src, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, src)
		t.Run(strings.Fields(src.Name())[0], func(t *testing.T) {
			// Twice: the second listing replaces the first one's index
			// while readers of the first are still at work.
			for range 2 {
				openDuringList(t, src, n)
			}
		})
	}
}

// openDuringList lists src, handing each entry to four readers, and checks
// that all n messages were read whole.
func openDuringList(t *testing.T, src Source, n int) {
	ids := make(chan model.MessageID, 16)
	var read atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for id := range ids {
				rc, err := src.Open(context.Background(), id)
				if err != nil {
					t.Errorf("Open(%q): %v", id, err)
					continue
				}
				var b strings.Builder
				_, err = fmt.Fprint(&b, readerString{rc})
				rc.Close()
				if err == nil && strings.HasPrefix(b.String(), "From: a@example.com\n") && strings.HasSuffix(b.String(), "\n\nHello.\n") {
					read.Add(1)
				} else {
					t.Errorf("%s: read %q", id, b.String())
				}
			}
		})
	}
	err := src.List(context.Background(), func(e Entry) error {
		if e.Err != nil {
			return e.Err
		}
		ids <- e.ID
		return nil
	})
	close(ids)
	wg.Wait()
	if err != nil || read.Load() != int64(n) {
		t.Errorf("%s: List: %v; read %d of %d messages", src.Name(), err, read.Load(), n)
	}
}

// readerString formats as everything its reader holds.
type readerString struct {
	r interface{ Read([]byte) (int, error) }
}

func (s readerString) String() string {
	var b strings.Builder
	buf := make([]byte, 100) // small reads exercise the readers' state
	for {
		k, err := s.r.Read(buf)
		b.Write(buf[:k])
		if err != nil {
			return b.String()
		}
	}
}

// BenchmarkDirList lists a flat folder of 20,000 small message files (an
// amavis quarantine's layout), every one opened and sniffed, a fifth of
// them gzip.
func BenchmarkDirList(b *testing.B) {
	dir := b.TempDir()
	msg := tinyMessage("benchmark")
	gz := gzipped(b, msg)
	const n = 20000
	for i := range n {
		content := msg
		if i%5 == 0 {
			content = gz
		}
		p := filepath.Join(dir, fmt.Sprintf("spam-%06d", i))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	src, err := NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	loopWithCPU(b, func() {
		count := 0
		if err := src.List(context.Background(), func(e Entry) error {
			if e.Err != nil {
				return e.Err
			}
			count++
			return nil
		}); err != nil || count != n {
			b.Fatalf("listed %d of %d: %v", count, n, err)
		}
	})
}

// BenchmarkMboxList scans an mbox of 20,000 messages of about 2 KB (40 MB).
func BenchmarkMboxList(b *testing.B) {
	var buf strings.Builder
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n", 32)
	const n = 20000
	for i := range n {
		fmt.Fprintf(&buf, "From a@example.com Mon Mar  7 14:23:23 2011\n%s%s\n", tinyMessage(fmt.Sprint(i)), body)
	}
	path := writeFile(b, b.TempDir(), "big.mbox", buf.String(), time.Time{})
	b.SetBytes(int64(buf.Len()))
	mb, err := NewMbox(path)
	if err != nil {
		b.Fatal(err)
	}
	defer mb.Close()
	loopWithCPU(b, func() {
		count := 0
		if err := mb.List(context.Background(), func(Entry) error { count++; return nil }); err != nil || count != n {
			b.Fatalf("listed %d of %d: %v", count, n, err)
		}
	})
}
