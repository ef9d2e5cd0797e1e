package app

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// TestRowsFileBoundsWhatItReads: a block whose head claims more bytes
// than the file holds, more rows than its bytes can (a row takes
// model.MinEncodedRowLen at least) or more than the file's header
// announces, is refused before anything is allocated for it, and a
// file another build wrote, or of another scan, is not read past its
// first line.
func TestRowsFileBoundsWhatItReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.rows")
	head := rowsHeader(rowMaker(), "d", 1)
	var block [blockHeadLen]byte
	binary.LittleEndian.PutUint32(block[:4], maxBlockLen)
	binary.LittleEndian.PutUint32(block[4:], 1)
	if err := os.WriteFile(path, append(append([]byte(head), block[:]...), 1, 2, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	readRefused(t, path, 1, 1<<20, "a block longer than the file")

	// A whole block, its checksum right, that claims a row a byte: its
	// rows cannot fit, and no room is made for 1 MiB of them.
	const size = 1 << 20
	refusedBlock(t, path, size, size, size, 2*size, "a block of more rows than its bytes can hold")
	// A whole block, its checksum right and its bytes enough for its
	// rows, of more rows than the file's header announces: refused
	// before room is made for them (found in review: 7,000,000 rows,
	// about 1 GB, for a block of 256 MiB).
	const rows = 20_000
	refusedBlock(t, path, 1, rows*model.MinEncodedRowLen, rows, 1<<20, "a block of more rows than the header announces")

	r := model.NewRow(&model.Message{ID: "m1"})
	if err := saveRows(path, "d", []*model.Row{&r}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(b), rowMaker(), strings.Repeat("0", len(rowMaker())), 1)
	if err := os.WriteFile(path, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	for what, open := range map[string]func() error{
		"another build": func() error { _, err := openRows(path, "d", 1); return err },
		"another scan":  func() error { _, err := openRows(path, "e", 1); return err },
		"another count": func() error { _, err := openRows(path, "d", 2); return err },
	} {
		if err := open(); !errors.Is(err, errRowsStale) {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// refusedBlock writes at path a row snapshot announcing count rows whose
// one block, its checksum right, holds size bytes and claims rows rows,
// and checks that reading it fails (readRefused).
func refusedBlock(t *testing.T, path string, count, size int, rows uint32, maxAlloc uint64, what string) {
	t.Helper()
	body := make([]byte, blockHeadLen+size)
	binary.LittleEndian.PutUint32(body[:4], uint32(size))
	binary.LittleEndian.PutUint32(body[4:blockHeadLen], rows)
	body = binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
	if err := os.WriteFile(path, append([]byte(rowsHeader(rowMaker(), "d", count)), body...), 0o600); err != nil {
		t.Fatal(err)
	}
	readRefused(t, path, count, maxAlloc, what)
}

// readRefused checks that reading the first block of the row snapshot
// at path, announcing count rows, fails, allocating at most maxAlloc
// bytes.
func readRefused(t *testing.T, path string, count int, maxAlloc uint64, what string) {
	t.Helper()
	rf, err := openRows(path, "d", count)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, err = rf.next()
	runtime.ReadMemStats(&m1)
	if !errors.Is(err, errRowsWrong) {
		t.Fatalf("%s: %v", what, err)
	}
	if n := m1.TotalAlloc - m0.TotalAlloc; n > maxAlloc {
		t.Fatalf("%s: allocated %d bytes", what, n)
	}
}

// TestRowsWriteSweepsAbandonedTemps: writing a row snapshot removes the
// temporary file a write that never finished left (a console that quit
// while keeping its list), once it is an hour old; a newer one may be
// another process's write under way, and stays.
func TestRowsWriteSweepsAbandonedTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.jsonl.rows")
	old := filepath.Join(dir, ".c.jsonl.rows.0a1b2c.tmp")
	fresh := filepath.Join(dir, ".c.jsonl.rows.3d4e5f.tmp")
	other := filepath.Join(dir, ".c.jsonl.0a1b2c.tmp")
	for _, p := range []string{old, fresh, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	r := model.NewRow(&model.Message{ID: "m1"})
	if err := saveRows(path, "d", []*model.Row{&r}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{old: false, fresh: true, other: true, path: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: there %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
