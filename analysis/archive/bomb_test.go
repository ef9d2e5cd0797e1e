package archive

import (
	stdzip "archive/zip"
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"

	"mxaudit/model"
)

// manyEntries is a ZIP of 100,000 empty files, built once.
var manyEntries = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	w := stdzip.NewWriter(&buf)
	for i := range 100_000 {
		if _, err := w.CreateHeader(&stdzip.FileHeader{Name: fmt.Sprintf("f%06d.txt", i), Method: stdzip.Store}); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// declaredZip declares entries of the given uncompressed sizes, each
// backed by csize bytes of (fake) compressed data: a bomb's headers
// without a bomb's decompression cost.
func declaredZip(t testing.TB, csize int, sizes ...uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := stdzip.NewWriter(&buf)
	for i, size := range sizes {
		fw, err := w.CreateRaw(&stdzip.FileHeader{
			Name: fmt.Sprintf("part%d.bin", i), Method: stdzip.Deflate,
			CompressedSize64: uint64(csize), UncompressedSize64: size,
		})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(make([]byte, csize))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// overlapBomb is David Fifield's construction: one compressed kernel and n
// central-directory entries that all point at it.
func overlapBomb(n int) []byte {
	kernel := []byte("compressed kernel data")
	central := make([]rawCentral, n)
	for i := range central {
		central[i] = rawCentral{name: fmt.Sprintf("f%d", i), csize: uint32(len(kernel)), usize: 100, offset: 0}
	}
	return rawZip([]rawLocal{{name: "f0", data: kernel, usize: 100}}, central)
}

// quotedOverlap has two real local entries, the first declaring a
// compressed size that swallows the second's header and data.
func quotedOverlap() []byte {
	a, b := []byte("aaaaaaaaaa"), []byte("bbbbbbbbbb")
	secondOff := uint32(30 + 1 + len(a))
	return rawZip(
		[]rawLocal{{name: "a", data: a, usize: 10}, {name: "b", data: b, usize: 10}},
		[]rawCentral{
			{name: "a", csize: uint32(len(a)) + 30 + 1 + uint32(len(b)), usize: 10, offset: 0},
			{name: "b", csize: uint32(len(b)), usize: 10, offset: secondOff},
		})
}

// nest builds a 42.zip-style archive: levels of width copies of the level
// below, the leaf holding 1 MiB of zeros. 42.zip itself is nest(5, 16)
// with a 4.3 GB leaf.
func nest(t testing.TB, levels, width int) []byte {
	t.Helper()
	cur := stdZipBytes(t, file{name: "0.dat", data: make([]byte, 1<<20)})
	for l := 1; l <= levels; l++ {
		files := make([]file, width)
		for i := range files {
			files[i] = file{name: fmt.Sprintf("lib%x.zip", i), data: cur}
		}
		cur = stdZipBytes(t, files...)
	}
	return cur
}

func TestInspectBombs(t *testing.T) {
	tests := []struct {
		name      string
		zip       []byte
		bomb      bool
		truncated bool
	}{
		{"100k entries", manyEntries(), true, true},
		{"10 GB declared in one entry", declaredZip(t, 4096, 10<<30), true, false},
		{"11 GB declared over 11 entries", declaredZip(t, 1<<20, slices.Repeat([]uint64{1 << 30}, 11)...), true, false},
		{"ratio 20000 on 20 MiB", declaredZip(t, 1000, 20<<20), true, false},
		{"20 MiB declared with no compressed bytes", declaredZip(t, 0, 20<<20), true, false},
		{"ratio 5000 on 5 MiB: small", declaredZip(t, 1000, 5<<20), false, false},
		{"ratio 10 on 100 MiB: ordinary", declaredZip(t, 10<<20, 100<<20), false, false},
		{"overlapping entries (Fifield)", overlapBomb(1000), true, false},
		{"quoted overlap", quotedOverlap(), true, false},
		{"42.zip-style nest", nest(t, 5, 16), true, true},
		{"nest within the depth limit", nest(t, 3, 2), false, false},
	}
	for _, tt := range tests {
		a := inspectBytes(tt.zip)
		if got := slices.Contains(a.AllRisks(), model.RiskBomb); got != tt.bomb {
			t.Errorf("%s: bomb = %v, want %v (risks %v, error %q)", tt.name, got, tt.bomb, a.AllRisks(), a.Error)
		}
		if tt.bomb && !slices.Contains(a.Risks, model.RiskBomb) {
			t.Errorf("%s: the top-level archive must carry the bomb risk: %v", tt.name, a.Risks)
		}
		if a.Truncated != tt.truncated {
			t.Errorf("%s: Truncated = %v, want %v", tt.name, a.Truncated, tt.truncated)
		}
	}
}

func TestInspectEntryLimit(t *testing.T) {
	a := inspectBytes(manyEntries())
	if a.TotalEntries != 100_000 || len(a.Entries) != DefaultLimits().MaxEntries {
		t.Errorf("TotalEntries %d, listed %d", a.TotalEntries, len(a.Entries))
	}
	if a.Entries[9_999].Name != "f009999.txt" {
		t.Errorf("last listed entry %q", a.Entries[9_999].Name)
	}
	small := stdZipBytes(t, file{name: "a"}, file{name: "b"}, file{name: "c"})
	a = Inspect(bytes.NewReader(small), int64(len(small)), "x.zip", Limits{MaxEntries: 2})
	if a.TotalEntries != 3 || len(a.Entries) != 2 || !a.Truncated || !slices.Contains(a.Risks, model.RiskBomb) {
		t.Errorf("custom limit: %+v", a)
	}
}

// TestInspectBudget checks that the bytes decompressed by one inspection
// are capped: with a tiny budget, nested archives stay unopened.
func TestInspectBudget(t *testing.T) {
	inner := stdZipBytes(t, file{name: "a.txt", data: bytes.Repeat([]byte("a"), 4000)})
	files := make([]file, 10)
	for i := range files {
		files[i] = file{name: fmt.Sprintf("in%d.zip", i), data: inner}
	}
	zip := stdZipBytes(t, files...)
	a := Inspect(bytes.NewReader(zip), int64(len(zip)), "x.zip", Limits{MaxTotalDecompressed: 3 * int64(len(inner))})
	opened := 0
	for _, e := range a.Entries {
		if e.Archive != nil {
			opened++
		}
	}
	if opened == 0 || opened >= len(files) || !a.Truncated {
		t.Errorf("opened %d of %d nested archives, truncated=%v", opened, len(files), a.Truncated)
	}
}

func benchmarkInspect(b *testing.B, zip []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(zip)))
	for b.Loop() {
		a := inspectBytes(zip)
		if len(a.Risks) == 0 && len(a.Entries) == 0 {
			b.Fatal("nothing found")
		}
	}
}

func BenchmarkInspect100kEntries(b *testing.B)  { benchmarkInspect(b, manyEntries()) }
func BenchmarkInspectDeclared10GB(b *testing.B) { benchmarkInspect(b, declaredZip(b, 4096, 10<<30)) }
func BenchmarkInspectOverlapBomb(b *testing.B)  { benchmarkInspect(b, overlapBomb(10_000)) }
func BenchmarkInspect42Nest(b *testing.B)       { benchmarkInspect(b, nest(b, 5, 16)) }
func BenchmarkInspectOrdinary(b *testing.B) {
	benchmarkInspect(b, stdZipBytes(b, file{name: "a.pdf", data: []byte("%PDF-1.7\n")},
		file{name: "b.docx", data: ooxml(b, false)}, file{name: "c.txt", data: bytes.Repeat([]byte("text "), 2000)}))
}

// TestInspectEntryLimitView checks the cut central-directory view against
// prefixes and comments: the listed entries must be the first ones, with
// working data offsets (content checks still see an executable).
func TestInspectEntryLimitView(t *testing.T) {
	files := make([]file, 20)
	for i := range files {
		files[i] = file{name: fmt.Sprintf("f%02d.txt", i), data: []byte("hello")}
	}
	files[1] = file{name: "f01.txt", data: append([]byte("MZ"), make([]byte, 100)...)}
	plain := stdZipBytes(t, files...)
	prefixed := append([]byte("#!/bin/sh\nexit 0\n"), plain...)
	commented := append(slices.Clone(plain[:len(plain)-2]), 5, 0, 'h', 'e', 'l', 'l', 'o')
	for name, zip := range map[string][]byte{"plain": plain, "sfx prefix": prefixed, "comment": commented} {
		a := Inspect(bytes.NewReader(zip), int64(len(zip)), "x.zip", Limits{MaxEntries: 5})
		if a.Error != "" || a.TotalEntries != 20 || len(a.Entries) != 5 || !a.Truncated {
			t.Errorf("%s: error %q, total %d, listed %d, truncated %v", name, a.Error, a.TotalEntries, len(a.Entries), a.Truncated)
			continue
		}
		if a.Entries[4].Name != "f04.txt" {
			t.Errorf("%s: fifth entry %q", name, a.Entries[4].Name)
		}
		in := &inspector{lim: Limits{MaxEntries: 5}.withDefaults(), decompressLeft: 1 << 20, sniffsLeft: 10}
		view, vsize, _, ok := entryLimitedView(bytes.NewReader(zip), int64(len(zip)), 5)
		if !ok {
			t.Errorf("%s: no cut view", name)
			continue
		}
		zr, err := stdzip.NewReader(view, vsize)
		if err != nil || len(zr.File) != 5 {
			t.Fatalf("%s: view reads back as %v", name, err)
		}
		e := model.Entry{Name: "f01.txt"}
		in.inspectContent(&model.Archive{}, &e, zr.File[1], 0)
		if !slices.Equal(e.Risks, []model.Risk{model.RiskExecutable}) {
			t.Errorf("%s: content through the view: %v", name, e.Risks)
		}
	}
}
