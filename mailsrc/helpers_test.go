package mailsrc

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"mxaudit/model"
)

// listAll lists src and returns every entry, failing the test when List
// fails.
func listAll(t testing.TB, src Source) []Entry {
	t.Helper()
	var got []Entry
	if err := src.List(context.Background(), func(e Entry) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatalf("%s: List: %v", src.Name(), err)
	}
	return got
}

// ids returns the IDs of entries, in order.
func ids(entries []Entry) []model.MessageID {
	out := make([]model.MessageID, len(entries))
	for i, e := range entries {
		out[i] = e.ID
	}
	return out
}

// readMessage opens id in src and returns all its bytes.
func readMessage(t testing.TB, src Source, id model.MessageID) string {
	t.Helper()
	rc, err := src.Open(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: Open(%q): %v", src.Name(), id, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("%s: reading %q: %v", src.Name(), id, err)
	}
	return string(b)
}

// writeFile creates dir/rel (and its folders) with content and the given
// modification time when not zero.
func writeFile(t testing.TB, dir, rel, content string, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// gzipped returns s compressed with gzip.
func gzipped(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mustClose closes src at the end of the test.
func mustClose(t testing.TB, src Source) {
	t.Cleanup(func() {
		if err := src.Close(); err != nil {
			t.Errorf("%s: Close: %v", src.Name(), err)
		}
	})
}

// tinyMessage is a small valid message with a recognisable subject.
func tinyMessage(subject string) string {
	return "From: a@example.com\nTo: b@example.org\nSubject: " + subject + "\n\nHello.\n"
}

// cpuTime returns the CPU time (user and system) this process has used.
// Benchmarks report it per operation beside the wall time, which on a
// shared machine says more about the neighbours than about the code.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopWithCPU runs op in a b.Loop and reports its CPU time per operation
// as "cpu-ms/op".
func loopWithCPU(b *testing.B, op func()) {
	start := cpuTime(b)
	n := 0
	for b.Loop() {
		op()
		n++
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}
