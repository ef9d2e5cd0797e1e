package demo

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteMaildir(t *testing.T) {
	samples := Samples(Options{})
	dir := t.TempDir()
	if err := WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	cur, _ := os.ReadDir(filepath.Join(dir, "cur"))
	fresh, _ := os.ReadDir(filepath.Join(dir, "new"))
	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	if err != nil || len(tmp) != 0 {
		t.Fatalf("tmp/: %v, %d files", err, len(tmp))
	}
	if len(cur)+len(fresh) != len(samples) || len(fresh) == 0 || len(cur) == 0 {
		t.Fatalf("cur %d + new %d, want %d in both", len(cur), len(fresh), len(samples))
	}
	for _, e := range cur {
		if !strings.Contains(e.Name(), ":2,") {
			t.Errorf("cur/%s has no info suffix", e.Name())
		}
	}
	for _, e := range fresh {
		if strings.Contains(e.Name(), ":") {
			t.Errorf("new/%s has an info suffix", e.Name())
		}
	}
	s := samples[0]
	path := filepath.Join(dir, "cur", s.Name+":2,FS")
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, s.Raw) {
		t.Fatalf("%s: content differs (%v)", path, err)
	}
	fi, _ := os.Stat(path)
	if !fi.ModTime().Equal(arrival(s.Name)) {
		t.Errorf("mtime %v, want the arrival %v", fi.ModTime(), arrival(s.Name))
	}
}

func TestWriteEML(t *testing.T) {
	samples := Samples(Options{})
	dir := t.TempDir()
	if err := WriteEML(dir, samples); err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		got, err := os.ReadFile(filepath.Join(dir, s.Name+".eml"))
		if err != nil || !bytes.Equal(got, s.Raw) {
			t.Fatalf("%s: content differs (%v)", s.Name, err)
		}
	}
}

// readMboxrd splits an mboxrd file back into messages with CRLF ends.
func readMboxrd(b []byte) [][]byte {
	var msgs [][]byte
	var cur []byte
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("From ")) {
			if cur != nil {
				msgs = append(msgs, cur)
			}
			cur = []byte{}
			continue
		}
		if isFromLine(line) {
			line = line[1:]
		}
		cur = append(append(cur, line...), "\r\n"...)
	}
	if cur != nil {
		msgs = append(msgs, cur)
	}
	for i, m := range msgs {
		// the separator blank line and the final split add two line ends
		msgs[i] = append(bytes.TrimRight(m, "\r\n"), "\r\n"...)
	}
	return msgs
}

func TestWriteMbox(t *testing.T) {
	samples := Samples(Options{})
	// a body line that must be quoted, and one already quoted
	samples = append(samples, Sample{Name: "1795400000.M1P1.demo", Raw: []byte("From: a@example.com\r\nSubject: x\r\n\r\nFrom here on\r\n>From there\r\n")})
	path := filepath.Join(t.TempDir(), "quarantine.mbox")
	if err := WriteMbox(path, samples); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\n>From here on\n>>From there\n")) {
		t.Error("From lines in the body are not mboxrd-quoted")
	}
	msgs := readMboxrd(data)
	if len(msgs) != len(samples) {
		t.Fatalf("%d messages read back, want %d", len(msgs), len(samples))
	}
	for i, s := range samples {
		if !bytes.Equal(msgs[i], append(bytes.TrimRight(s.Raw, "\r\n"), "\r\n"...)) {
			t.Errorf("%s: differs after the round trip", s.Name)
		}
	}
}

func TestWriteGzipDir(t *testing.T) {
	samples := Samples(Options{})
	dir := t.TempDir()
	if err := WriteGzipDir(dir, samples); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != len(samples) {
		t.Fatalf("%d files (%v), want %d", len(entries), err, len(samples))
	}
	contents := map[string]bool{}
	kinds := map[string]int{}
	for _, e := range entries {
		kind, _, _ := strings.Cut(e.Name(), "-")
		kinds[kind]++
		if kind == "spam" != strings.HasSuffix(e.Name(), ".gz") {
			t.Errorf("%s: spam files end in .gz, virus files do not", e.Name())
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		contents[string(raw)] = true
	}
	if kinds["spam"] == 0 || kinds["virus"] == 0 {
		t.Errorf("kinds %v, want both spam and virus", kinds)
	}
	for _, s := range samples {
		if !contents[string(s.Raw)] {
			t.Errorf("%s not found in the gzip directory", s.Name)
		}
	}
}
