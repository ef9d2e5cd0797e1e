package scan_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// countingAnalyzer counts real analyses.
type countingAnalyzer struct {
	*analysis.Analyzer
	n atomic.Int64
}

func (c *countingAnalyzer) Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message {
	c.n.Add(1)
	return c.Analyzer.Analyze(ctx, id, raw)
}

func scanAll(t *testing.T, src mailsrc.Source, an scan.Analyzer, cache scan.Cache) map[model.MessageID]model.Message {
	t.Helper()
	out, _ := scanProgress(t, src, an, cache)
	return out
}

// scanProgress is scanAll, also returning the scan's last progress.
func scanProgress(t *testing.T, src mailsrc.Source, an scan.Analyzer, cache scan.Cache) (map[model.MessageID]model.Message, scan.Progress) {
	t.Helper()
	out := map[model.MessageID]model.Message{}
	var last scan.Progress
	opt := scan.Options{Cache: cache, Progress: func(p scan.Progress) { last = p }}
	err := scan.Run(context.Background(), src, an, opt, func(m model.Message) error {
		out[m.ID] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, last
}

// demoMaildir writes the demo's samples to a Maildir and returns it, the
// samples, the source, and a function that opens a cache for it.
func demoMaildir(t *testing.T) (string, []demo.Sample, mailsrc.Source, func() *store.Cache) {
	t.Helper()
	dir := t.TempDir()
	samples := demo.Samples(demo.Options{})
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	src, err := mailsrc.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cacheDir := t.TempDir()
	return dir, samples, src, func() *store.Cache {
		c, err := store.OpenCache(cacheDir, src.Name(), "test")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestRunWithContentCache scans a Maildir twice through a real cache: the
// second scan analyses nothing and yields the same results; a message
// whose bytes change is analysed again, and one that moved keeps its
// result under its new ID.
func TestRunWithContentCache(t *testing.T) {
	dir, samples, src, open := demoMaildir(t)
	an := &countingAnalyzer{Analyzer: analysis.New(analysis.Config{})}

	cache := open()
	first := scanAll(t, src, an, cache)
	cache.Close()
	cold := an.n.Load()
	if cold < int64(len(samples))-3 { // messages that cannot be read are not cached, but are analysed
		t.Fatalf("cold scan analysed %d of %d messages", cold, len(samples))
	}

	cache = open()
	second, progress := scanProgress(t, src, an, cache)
	cache.Close()
	warm := an.n.Load() - cold
	if warm > 3 {
		t.Errorf("warm scan analysed %d messages again, want only the unreadable ones", warm)
	}
	if want := len(second) - int(warm); progress.Analysed != len(second) || progress.Cached != want {
		t.Errorf("warm scan's progress: %d emitted, %d cached; want %d and %d", progress.Analysed, progress.Cached, len(second), want)
	}
	if len(second) != len(first) {
		t.Fatalf("warm scan gave %d messages, cold %d", len(second), len(first))
	}
	for id, m := range first {
		w := second[id]
		if !m.Date.Equal(w.Date) {
			t.Errorf("%s: date %v, cached %v", id, m.Date, w.Date)
		}
		if m.Verdict.Attachment != w.Verdict.Attachment || !reflect.DeepEqual(m.Verdict.Reasons, w.Verdict.Reasons) || len(m.Attachments) != len(w.Attachments) {
			t.Errorf("%s: cached result differs:\n%+v\n%+v", id, w.Verdict, m.Verdict)
		}
	}

	// Replace one message with other bytes (another file renamed over
	// it, as tools that edit mail do): only it is analysed again.
	files, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "tmp", "edited")
	if err := os.WriteFile(edited, append([]byte("X-Changed: yes\r\n"), raw...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(edited, files[0]); err != nil {
		t.Fatal(err)
	}
	before := an.n.Load()
	cache = open()
	third := scanAll(t, src, an, cache)
	cache.Close()
	if again := an.n.Load() - before; again != warm+1 {
		t.Errorf("after replacing one message, %d were analysed again, want %d", again, warm+1)
	}
	changed := 0
	for id, m := range third {
		if m.SHA256 != second[id].SHA256 {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("after replacing one message, %d results changed, want 1", changed)
	}
}

// countingSource counts the messages opened.
type countingSource struct {
	mailsrc.Source
	opens atomic.Int64
}

func (c *countingSource) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	c.opens.Add(1)
	return c.Source.Open(ctx, id)
}

// TestWarmScanReadsNoMessage: with the cache warm and nothing changed, a
// Maildir, a directory and an mbox are listed and no message is opened —
// results are found by the files' stamps (a Maildir message's inode, other
// files' inode, size and time, an mbox message's place), not by hashing
// their bytes. TestRunWithContentCache replaces a file.
func TestWarmScanReadsNoMessage(t *testing.T) {
	samples := demo.Samples(demo.Options{})
	maildir := t.TempDir()
	if err := demo.WriteMaildir(maildir, samples); err != nil {
		t.Fatal(err)
	}
	plain := t.TempDir()
	var mbox []byte
	for i, s := range samples[:20] {
		if err := os.WriteFile(filepath.Join(plain, fmt.Sprintf("%03d.eml", i)), s.Raw, 0o600); err != nil {
			t.Fatal(err)
		}
		mbox = append(mbox, "From sender@example.com Thu Nov 19 09:30:00 2026\n"...)
		mbox = append(mbox, bytes.ReplaceAll(s.Raw, []byte("\r\n"), []byte("\n"))...)
		mbox = append(mbox, '\n')
	}
	mboxPath := filepath.Join(t.TempDir(), "q.mbox")
	if err := os.WriteFile(mboxPath, mbox, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{maildir, plain, mboxPath} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			opened, err := mailsrc.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer opened.Close()
			src := &countingSource{Source: opened}
			cacheDir := t.TempDir()
			an := analysis.New(analysis.Config{})
			scanOnce := func() map[model.MessageID]model.Message {
				c, err := store.OpenCache(cacheDir, src.Name(), "test")
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				return scanAll(t, src, an, c)
			}
			cold := scanOnce()
			coldOpens := src.opens.Load()
			if coldOpens == 0 {
				t.Fatal("the cold scan opened nothing")
			}
			warm := scanOnce()
			uncached := 0
			for _, m := range cold {
				if m.Error != "" {
					uncached++ // unreadable messages are not cached
				}
			}
			t.Logf("%d messages; cold scan opened %d, warm %d", len(cold), coldOpens, src.opens.Load()-coldOpens)
			if got := src.opens.Load() - coldOpens; got > int64(uncached) {
				t.Errorf("warm scan opened %d messages, want at most the %d uncacheable", got, uncached)
			}
			if len(warm) != len(cold) {
				t.Fatalf("warm scan gave %d messages, cold %d", len(warm), len(cold))
			}
			for id, m := range cold {
				if w := warm[id]; w.Verdict.Attachment != m.Verdict.Attachment || w.Subject != m.Subject {
					t.Errorf("%s: warm %s %q, cold %s %q", id, w.Verdict.Attachment, w.Subject, m.Verdict.Attachment, m.Subject)
				}
			}
		})
	}
}

// undigestedAnalyzer analyses as the real one does but reports no digest
// of the bytes, as when an analysis does not read a message to its end.
type undigestedAnalyzer struct{ countingAnalyzer }

func (u *undigestedAnalyzer) Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message {
	m := u.countingAnalyzer.Analyze(ctx, id, raw)
	m.SHA256 = ""
	return m
}

// TestStampKeyedResultNeedsADigest: a result keyed by a file's stamp is
// cached only with the digest of the bytes analysed, which an action
// compares with the bytes it delivers; without one, the next scan
// analyses the message again.
func TestStampKeyedResultNeedsADigest(t *testing.T) {
	dir := t.TempDir()
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})[:10]); err != nil {
		t.Fatal(err)
	}
	src, err := mailsrc.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cacheDir := t.TempDir()
	an := &undigestedAnalyzer{countingAnalyzer{Analyzer: analysis.New(analysis.Config{})}}
	for scanNo := 1; scanNo <= 2; scanNo++ {
		c, err := store.OpenCache(cacheDir, src.Name(), "test")
		if err != nil {
			t.Fatal(err)
		}
		_, progress := scanProgress(t, src, an, c)
		c.Close()
		if progress.Cached != 0 {
			t.Errorf("scan %d: %d results from the cache, want none without a digest", scanNo, progress.Cached)
		}
	}
	if n := an.n.Load(); n != 20 {
		t.Errorf("%d analyses in two scans of 10 messages, want 20", n)
	}
}

// TestRunForgetsFilesNoLongerListed scans a Maildir through a real cache,
// removes one message and replaces another (a new inode), and checks
// that the next complete scan leaves the cache holding the results of
// the files listed now only, and results under other keys untouched.
func TestRunForgetsFilesNoLongerListed(t *testing.T) {
	dir, _, src, open := demoMaildir(t)
	an := analysis.New(analysis.Config{})
	cache := open()
	scanAll(t, src, an, cache)
	other := fmt.Sprintf("%064x", 7) // a content digest: not the listing's to forget
	if err := cache.Put(other, model.Message{ID: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	before := cache.Stats().Entries
	cache.Close()

	files, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(files[1])
	replaced := filepath.Join(dir, "tmp", "replaced")
	os.WriteFile(replaced, raw, 0o600)
	if err := os.Rename(replaced, files[1]); err != nil {
		t.Fatal(err)
	}
	cache = open()
	defer cache.Close()
	scanAll(t, src, an, cache)
	// One file gone, one under a new key (its old result forgotten, the
	// new one stored).
	if got := cache.Stats().Entries; got != before-1 {
		t.Errorf("the cache holds %d results, want %d", got, before-1)
	}
	if !cache.Has(other) {
		t.Error("a result under a content digest was forgotten")
	}
	var listed int
	if err := src.List(context.Background(), func(e mailsrc.Entry) error {
		if e.Stamp != "" && cache.Has(scan.StampKey(scan.StampSum(e))) {
			listed++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if listed != before-2 {
		t.Errorf("%d listed files have results, want %d", listed, before-2)
	}
}

// TestStampRefFindsWhatTheScanCached checks that the cache's StampRef,
// which looks a stamp digest up without spelling its key, finds the
// result a scan cached for each listed file under StampKey (and nothing
// for a file the scan does not cache).
func TestStampRefFindsWhatTheScanCached(t *testing.T) {
	_, _, src, open := demoMaildir(t)
	c := open()
	defer c.Close()
	scanAll(t, src, analysis.New(analysis.Config{}), c)
	found := 0
	err := src.List(context.Background(), func(e mailsrc.Entry) error {
		sum := scan.StampSum(e)
		want, ok := c.Ref(scan.StampKey(sum))
		if got, gotOK := c.StampRef(sum); gotOK != ok || got != want {
			t.Errorf("%s: StampRef = %+v, %v; Ref(StampKey) = %+v, %v", e.ID, got, gotOK, want, ok)
		}
		if ok {
			found++
		}
		return nil
	})
	if err != nil || found == 0 {
		t.Fatalf("found %d cached results: %v", found, err)
	}
}
