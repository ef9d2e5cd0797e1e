package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCacheRebuilt covers every reason to discard a whole file: the cache
// must open empty, say why, and then work normally.
func TestCacheRebuilt(t *testing.T) {
	replaceHeader := func(h cacheHeader) func(t *testing.T, dir, path string) {
		return func(t *testing.T, dir, path string) {
			lines := fileLines(t, path)
			lines[0] = encodeHeader(h)
			os.WriteFile(path, bytes.Join(lines, nil), 0o600)
		}
	}
	good := cacheHeader{Format: cacheFormat, Version: cacheVersion, Source: testSource,
		Fingerprint: sha256Hex(testFingerprint), Schema: modelSchema()}
	with := func(change func(h *cacheHeader)) cacheHeader { h := good; change(&h); return h }

	tests := []struct {
		name        string
		damage      func(t *testing.T, dir, path string)
		fingerprint string
		want        string
	}{
		{"fingerprint changed", func(*testing.T, string, string) {}, "analyzer=1.5.0", "fingerprint"},
		// Version 1 files have no snapshots, but a version-1 mxaudit
		// compacting a version-2 file would keep them.
		{"format version 1", replaceHeader(with(func(h *cacheHeader) { h.Version = 1 })), "", "format version 1"},
		{"format version 3", replaceHeader(with(func(h *cacheHeader) { h.Version = 3 })), "", "format version 3"},
		{"another format", replaceHeader(with(func(h *cacheHeader) { h.Format = "other" })), "", "not an mxaudit cache"},
		{"model changed", replaceHeader(with(func(h *cacheHeader) { h.Schema = sha256Hex("old") })), "", "message model changed"},
		{"file of another source", replaceHeader(with(func(h *cacheHeader) { h.Source = "/var/other" })), "", "another source"},
		{"header bit flip", func(t *testing.T, dir, path string) {
			data, _ := os.ReadFile(path)
			data[12] ^= 0x01
			os.WriteFile(path, data, 0o600)
		}, "", "damaged header"},
		{"header with an unknown field", func(t *testing.T, dir, path string) {
			lines := fileLines(t, path)
			lines[0] = sealLine([]byte(`{"format":"mxaudit-cache","version":1,"extra":1`))
			os.WriteFile(path, bytes.Join(lines, nil), 0o600)
		}, "", "damaged header"},
		{"empty file", func(t *testing.T, dir, path string) { os.WriteFile(path, nil, 0o600) }, "", "no complete header"},
		{"torn header", func(t *testing.T, dir, path string) {
			data, _ := os.ReadFile(path)
			os.WriteFile(path, data[:40], 0o600)
		}, "", "no complete header"},
		{"binary garbage", func(t *testing.T, dir, path string) {
			os.WriteFile(path, []byte("\x00\x01\x02\n\xff\xfe\n"), 0o600)
		}, "", "damaged header"},
		{"group-writable file", func(t *testing.T, dir, path string) { os.Chmod(path, 0o620) }, "", "writable by other users"},
		{"file beyond the bound", func(t *testing.T, dir, path string) {
			// Sparse: no disk is spent on it.
			if err := os.Truncate(path, maxCacheFileLen+1); err != nil {
				t.Skip("cannot grow a sparse file here:", err)
			}
		}, "", "larger than"},
		{"symlink", func(t *testing.T, dir, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			os.Rename(path, target)
			os.Symlink(target, path)
		}, "", "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := fillCache(t, 3)
			tt.damage(t, dir, path)
			fp := testFingerprint
			if tt.fingerprint != "" {
				fp = tt.fingerprint
			}
			c, err := OpenCache(dir, testSource, fp)
			if err != nil {
				t.Fatal(err)
			}
			s := c.Stats()
			if !s.Rebuilt || !strings.Contains(s.RebuildReason, tt.want) || s.Entries != 0 {
				t.Errorf("Stats = %+v, want rebuilt because %q", s, tt.want)
			}
			if _, ok := c.Get("7/1"); ok {
				t.Error("an entry of the discarded file was returned")
			}
			c.Put("7/7", sampleMessage(7))
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			info, err := os.Lstat(path)
			if err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o600 {
				t.Fatalf("rebuilt file: %v, %v", info, err)
			}
			c, _ = OpenCache(dir, testSource, fp)
			defer c.Close()
			if s := c.Stats(); s.Rebuilt || s.Entries != 1 {
				t.Errorf("after the rebuild: %+v", s)
			}
		})
	}
}

// TestCacheDamagedRecords damages single records. The choice: a damaged
// record is skipped and the others kept (each line carries its own
// checksum, so one bad line says nothing about the rest); a torn last
// line is cut off by the next writer so that appending goes on cleanly.
func TestCacheDamagedRecords(t *testing.T) {
	tests := []struct {
		name        string
		damage      func(lines [][]byte) [][]byte
		wantMissing []string // keys lost; the other of 7/0..7/4 must be intact
		wantDropped int
		wantTorn    bool
	}{
		{"byte changed in a message", func(l [][]byte) [][]byte {
			l[3] = bytes.Replace(l[3], []byte(`"encrypted"`), []byte(`"clean"`), 1)
			return l
		}, []string{"7/2"}, 1, false},
		{"bit flip in a key", func(l [][]byte) [][]byte { l[2][7] ^= 0x02; return l }, []string{"7/1"}, 1, false},
		{"checksum edited", func(l [][]byte) [][]byte {
			n := len(l[4])
			l[4][n-4] = map[bool]byte{true: 'b', false: 'a'}[l[4][n-4] == 'a']
			return l
		}, []string{"7/3"}, 1, false},
		{"checksum removed", func(l [][]byte) [][]byte {
			body := l[1][:len(l[1])-1-checksumSuffixLen]
			l[1] = append(bytes.Clone(body), "}\n"...)
			return l
		}, []string{"7/0"}, 1, false},
		{"garbage line inserted", func(l [][]byte) [][]byte {
			return append(l[:2:2], append([][]byte{[]byte("garbage\n")}, l[2:]...)...)
		}, nil, 1, false},
		{"empty line inserted", func(l [][]byte) [][]byte {
			return append(l[:2:2], append([][]byte{[]byte("\n")}, l[2:]...)...)
		}, nil, 1, false},
		{"two lines glued", func(l [][]byte) [][]byte {
			l[2] = bytes.TrimSuffix(l[2], []byte("\n"))
			return l
		}, []string{"7/1", "7/2"}, 1, false},
		{"truncated last line", func(l [][]byte) [][]byte { l[5] = l[5][:len(l[5])/2]; return l }, []string{"7/4"}, 0, true},
		{"last newline missing", func(l [][]byte) [][]byte { l[5] = bytes.TrimSuffix(l[5], []byte("\n")); return l }, []string{"7/4"}, 0, true},
		{"zeros appended (crash after extending the file)", func(l [][]byte) [][]byte {
			return append(l, make([]byte, 4096))
		}, nil, 0, true},
		// Lines past maxCacheLineLen are read past, not held.
		{"overlong line inserted", func(l [][]byte) [][]byte {
			long := append(bytes.Repeat([]byte("x"), maxCacheLineLen+1), '\n')
			return append(l[:2:2], append([][]byte{long}, l[2:]...)...)
		}, nil, 1, false},
		{"overlong zeros appended", func(l [][]byte) [][]byte {
			return append(l, make([]byte, maxCacheLineLen+1))
		}, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := fillCache(t, 5)
			lines := fileLines(t, path)
			os.WriteFile(path, bytes.Join(tt.damage(lines), nil), 0o600)
			c := openTestCache(t, dir)
			s := c.Stats()
			if s.Rebuilt || s.Dropped != tt.wantDropped || s.TornTail != tt.wantTorn {
				t.Errorf("Stats = %+v, want %d dropped, torn tail %v", s, tt.wantDropped, tt.wantTorn)
			}
			checkIntact := func(c *Cache) {
				t.Helper()
				for i := range 5 {
					key := fmt.Sprintf("7/%d", i)
					got, ok := c.Get(key)
					missing := strings.Contains(strings.Join(tt.wantMissing, ","), key)
					if ok == missing {
						t.Errorf("Get(%s) hit = %v, want %v", key, ok, !missing)
					}
					if ok {
						assertSameMessage(t, got, sampleMessage(i))
					}
				}
			}
			checkIntact(c)
			// Appending after the damage must produce a readable file.
			c.Put("8/1", sampleMessage(1))
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			c = openTestCache(t, dir)
			defer c.Close()
			if s := c.Stats(); s.TornTail || s.Dropped != tt.wantDropped {
				t.Errorf("after appending: %+v", s)
			}
			if _, ok := c.Get("8/1"); !ok {
				t.Error("the record appended after the damage was lost")
			}
			checkIntact(c)
		})
	}
}

// TestCacheRandomDamage changes one byte at random places of a file many
// times: whatever Get returns must be exactly what was put.
func TestCacheRandomDamage(t *testing.T) {
	dir, path := fillCache(t, 8)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	hits := 0
	for range 300 {
		data := bytes.Clone(orig)
		data[rng.IntN(len(data))] ^= byte(1 + rng.IntN(255))
		if rng.IntN(4) == 0 {
			data = data[:rng.IntN(len(data))]
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c := openTestCache(t, dir)
		for i := range 8 {
			if got, ok := c.Get(fmt.Sprintf("7/%d", i)); ok {
				hits++
				assertSameMessage(t, got, sampleMessage(i))
			}
		}
		c.Close()
	}
	if hits == 0 {
		t.Error("no entry survived any damage: the test checks nothing")
	}
}

// TestCacheSecondHandleIsReadOnly opens the same cache twice in one
// process (each open is its own lock, as in two processes).
func TestCacheSecondHandleIsReadOnly(t *testing.T) {
	dir, path := fillCache(t, 2)
	writer := openTestCache(t, dir)
	reader := openTestCache(t, dir)
	if s := writer.Stats(); s.ReadOnly {
		t.Fatalf("first handle is read-only: %s", s.ReadOnlyReason)
	}
	s := reader.Stats()
	if !s.ReadOnly || !strings.Contains(s.ReadOnlyReason, "another mxaudit process") || s.Entries != 2 {
		t.Fatalf("second handle: %+v", s)
	}
	before, _ := os.ReadFile(path)
	if err := reader.Put("7/5", sampleMessage(5)); err != nil {
		t.Errorf("Put on a read-only cache = %v", err)
	}
	reader.Prune(func(string) bool { return false })
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the read-only handle changed the file")
	}
	if _, ok := writer.Get("7/1"); !ok {
		t.Error("the read-only handle's Prune affected the writer")
	}
	writer.Close()
}

// FuzzCacheFile opens a cache over arbitrary file content: never a panic,
// whatever Get returns is exactly what was put, and a record appended
// afterwards is read back.
func FuzzCacheFile(f *testing.F) {
	dir, path := fillCache(f, 5)
	valid, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	os.RemoveAll(dir)
	f.Add(valid)
	f.Add(valid[:len(valid)-30])
	f.Add(append(bytes.Clone(valid), "\n\n{}\n"...))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, sha256Hex(testSource)+".jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c := openTestCache(t, dir)
		for i := range 5 {
			if got, ok := c.Get(fmt.Sprintf("7/%d", i)); ok {
				assertSameMessage(t, got, sampleMessage(i))
			}
		}
		if err := c.Put("9/9", sampleMessage(9)); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		c = openTestCache(t, dir)
		defer c.Close()
		got, ok := c.Get("9/9")
		if !ok {
			t.Fatalf("the record put after opening is lost: %+v", c.Stats())
		}
		assertSameMessage(t, got, sampleMessage(9))
	})
}
