package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFind checks where the finder places archives in hostile layouts.
func TestFind(t *testing.T) {
	a := stdZipBytes(t, file{name: "a.txt", data: []byte("alpha")})
	b := stdZipBytes(t, file{name: "b.txt", data: []byte("bravo")})
	n := int64(len(a))
	stored := stdZipBytes(t, file{name: "in.zip", data: a, store: true})
	local := a[:len(a)-22-40] // the directory cut off
	tests := []struct {
		name string
		data []byte
		want []Span
	}{
		{"one", a, []Span{{Format: "zip", Start: 0, End: n}}},
		{"concatenated", cat(a, b), []Span{{Format: "zip", Start: 0, End: n}, {Format: "zip", Start: n, End: n + int64(len(b))}}},
		{"prefixed", cat([]byte("junk"), a), []Span{{Format: "zip", Start: 4, End: n + 4}}},
		{"stored inside another", stored, []Span{{Format: "zip", Start: 0, End: int64(len(stored))}}},
		{"local headers only", local, []Span{{Format: "zip", Start: 0, End: int64(len(local)), Local: true}}},
		{"local headers then a zip", cat(local, b), []Span{{Format: "zip", Start: 0, End: int64(len(local)), Local: true}, {Format: "zip", Start: int64(len(local)), End: int64(len(local) + len(b))}}},
		{"rar then zip", cat(rar5([]rarFile{{name: "x", data: []byte("x")}}, false), a), nil},
		{"nothing", []byte("just text, PK but no signature"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find(bytes.NewReader(tt.data), int64(len(tt.data)))
			for i := range got {
				got[i].open = false
				got[i].dirStart, got[i].eocd = 0, 0
			}
			if tt.name == "rar then zip" {
				if len(got) != 2 || got[0].Format != "rar" || got[1].Format != "zip" || got[0].Start != 0 {
					t.Errorf("got %+v, want a RAR, then a ZIP", got)
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("span %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// FuzzFind feeds arbitrary bytes to the multi-archive finder: it must not
// panic, must be quick, and must return ordered, in-bounds spans no more
// numerous than maxSpans.
func FuzzFind(f *testing.F) {
	a := stdZipBytes(f, file{name: "a.txt", data: []byte("alpha")})
	for _, seed := range [][]byte{
		a, cat(a, a), cat([]byte("GIF89a"), a), toZip64(a), cat([]byte("JUNK"), toZip64(a)),
		rar4([]rarFile{{name: "x", data: []byte("x")}}, false), rar5(nil, true),
		[]byte(sigLocal + sigEnd + sig7z + sigRAR), nil,
	} {
		f.Add(seed)
	}
	// Real 7z and RAR archives, made by 7-Zip and the RAR generator.
	fixtures, _ := filepath.Glob(filepath.Join("..", "testdata", "*"))
	for _, p := range fixtures {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
			f.Add(cat(a, b))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		spans := Find(bytes.NewReader(b), int64(len(b)))
		if took := time.Since(start); took > time.Second {
			t.Errorf("took %v", took)
		}
		if len(spans) > maxSpans {
			t.Errorf("%d spans", len(spans))
		}
		for i, s := range spans {
			if s.Start < 0 || s.End > int64(len(b)) || s.Start >= s.End {
				t.Errorf("span %+v out of [0, %d)", s, len(b))
			}
			// Two end records may place ZIPs at the same start (a
			// second directory in the comment): each is its own view.
			if i > 0 && (s.Start < spans[i-1].Start || s.Start == spans[i-1].Start && s.eocd == spans[i-1].eocd) {
				t.Errorf("spans out of order: %+v", spans)
			}
		}
		// Inspect on the same bytes must survive what Find found.
		a := Inspect(bytes.NewReader(b), int64(len(b)), "fuzz", Limits{})
		if a == nil || len(a.Error) >= 14 && a.Error[:14] == "internal error" {
			t.Fatalf("Inspect: %+v", a)
		}
	})
}
