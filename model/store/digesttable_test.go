package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
)

// digestOfN is a test key's digest; those of close numbers share their
// first bytes when crowded is set, so that they fall in one bucket.
func digestOfN(i int, crowded bool) [32]byte {
	sum := sha256.Sum256(binary.LittleEndian.AppendUint64(nil, uint64(i)))
	if crowded {
		copy(sum[:8], "crowded!")
	}
	return sum
}

// TestDigestTableIsAMap: a table opened from sorted slots answers as a
// map given the same keys would, through puts and removals of keys of
// the array and of others, whatever the number of slots and however
// crowded their buckets; and yields its keys in their order.
func TestDigestTableIsAMap(t *testing.T) {
	for _, tt := range []struct {
		slots   int
		crowded bool
	}{{0, false}, {1, false}, {2, false}, {3, true}, {100, false}, {100, true}, {5000, false}} {
		rng := rand.New(rand.NewPCG(uint64(tt.slots), 1))
		want := map[[32]byte]cacheEntry{}
		var slots []digestSlot
		for i := range tt.slots {
			s := digestSlot{digestOfN(i, tt.crowded && i%2 == 0), cacheEntry{off: int64(i), n: uint32(i + 1), written: 7}}
			slots, want[s.sum] = append(slots, s), s.e
		}
		slices.SortFunc(slots, compareSlots)
		table := newDigestTable(0)
		table.setSorted(slots)
		check := func(step string) {
			t.Helper()
			if table.len() != len(want) {
				t.Fatalf("%d slots, %s: len %d, want %d", tt.slots, step, table.len(), len(want))
			}
			for sum, e := range want {
				if got, ok := table.get(sum); !ok || got != e {
					t.Fatalf("%d slots, %s: get %x = %v %v, want %v", tt.slots, step, sum[:4], got, ok, e)
				}
			}
			if got := maps.Collect(table.all()); !maps.Equal(got, want) {
				t.Fatalf("%d slots, %s: all yields %d keys, want %d", tt.slots, step, len(got), len(want))
			}
			var prev []byte
			n := 0
			for sum, e := range table.inOrder() {
				if prev != nil && bytes.Compare(prev, sum[:]) >= 0 {
					t.Fatalf("%d slots, %s: inOrder yields %x after %x", tt.slots, step, sum[:4], prev[:4])
				}
				if want[sum] != e {
					t.Fatalf("%d slots, %s: inOrder yields %x with %v, want %v", tt.slots, step, sum[:4], e, want[sum])
				}
				prev, n = slices.Clone(sum[:]), n+1
			}
			if n != len(want) {
				t.Fatalf("%d slots, %s: inOrder yields %d keys, want %d", tt.slots, step, n, len(want))
			}
		}
		check("opened")
		for op := range 3 * tt.slots / 2 {
			// Keys of the array and as many others, some crowded in with
			// the array's.
			sum := digestOfN(rng.IntN(2*tt.slots+2), tt.crowded && rng.IntN(2) == 0)
			switch rng.IntN(3) {
			case 0, 1:
				e := cacheEntry{off: int64(op), n: uint32(op + 1), written: 9}
				table.put(sum, e)
				want[sum] = e
			default:
				table.remove(sum)
				delete(want, sum)
			}
			if _, ok := table.get(digestOfN(-1-op, tt.crowded)); ok {
				t.Fatalf("%d slots: a key never put is found", tt.slots)
			}
		}
		check("after puts and removals")
		for sum := range table.all() { // removing while listing, as prune does
			table.remove(sum)
			delete(want, sum)
		}
		check("emptied")
	}
}

// TestSortSlotsKeepsTheLastOfADigest: slots read out of order are
// sorted, and of a digest read twice the later slot is kept, as a map
// filled in the file's order keeps it.
func TestSortSlotsKeepsTheLastOfADigest(t *testing.T) {
	a, b, c := digestOfN(1, false), digestOfN(2, false), digestOfN(3, false)
	slot := func(sum [32]byte, off int64) digestSlot { return digestSlot{sum, cacheEntry{off: off, n: 1}} }
	got := sortSlots([]digestSlot{slot(c, 1), slot(a, 2), slot(b, 3), slot(a, 4), slot(c, 5), slot(a, 6)})
	want := []digestSlot{slot(a, 6), slot(b, 3), slot(c, 5)}
	slices.SortFunc(want, compareSlots)
	if !slices.Equal(got, want) {
		t.Fatalf("sorted %v, want %v", got, want)
	}
	in := []digestSlot{slot(a, 1), slot(b, 2)}
	slices.SortFunc(in, compareSlots)
	if got := sortSlots(slices.Clone(in)); !slices.Equal(got, in) {
		t.Fatalf("sorted slots came back as %v", got)
	}
}

// TestIndexFileOutOfOrderOpens: an index file whose digests are not in
// order (as an earlier mxaudit wrote them, in its maps' order) opens
// with the same answers, and the cache's next close writes them in
// order.
func TestIndexFileOutOfOrderOpens(t *testing.T) {
	dir, path, keys := closedCache(t, 400)
	shuffleIndexEntries(t, idxPath(path))

	c := openTestCache(t, dir)
	if !c.Stats().FromIndex {
		t.Fatal("the shuffled index file was not used")
	}
	checkAll(t, c, keys, func(string) string { return "" })
	c = reopenFromIndex(t, c, dir, "the index file written again")
	for kind, table := range c.index.digests {
		if !slices.IsSortedFunc(table.sorted, compareSlots) || table.len() != len(table.sorted) || len(table.more) != 0 {
			t.Fatalf("kind %d: %d slots not written in order", kind, len(table.sorted))
		}
	}
	checkAll(t, c, keys, func(string) string { return "" })
}

// shuffleIndexEntries rewrites the index file at path with its entries
// in another order, its checksum made again.
func shuffleIndexEntries(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(bytes.NewReader(raw[idxHeadLen : len(raw)-4]))
	var entries [][]byte
	for {
		k, e, err := readIdxEntry(br)
		if err != nil {
			break
		}
		b := []byte{k.kind}
		if k.kind == idxNamed {
			b = append(binary.AppendUvarint(b, uint64(len(k.named))), k.named...)
		} else {
			b = append(b, k.sum[:]...)
		}
		b = binary.AppendUvarint(b, uint64(e.off))
		b = binary.AppendUvarint(b, uint64(e.n))
		entries = append(entries, binary.AppendUvarint(b, uint64(e.written)))
	}
	if len(entries) < 100 {
		t.Fatalf("%d entries read from the index file", len(entries))
	}
	slices.Reverse(entries)
	out := slices.Concat(append([][]byte{raw[:idxHeadLen]}, entries...)...)
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	if len(out) != len(raw) {
		t.Fatalf("rewrote %d bytes of %d", len(out), len(raw))
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCompareSumsIsBytesCompare: digests compare as their bytes do,
// whichever of the four words differs first.
func TestCompareSumsIsBytesCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		var a, b [32]byte
		for i := range a {
			a[i] = byte(rng.IntN(3))
		}
		b = a
		if at := rng.IntN(33); at < 32 {
			b[at] = byte(rng.IntN(3))
		}
		if got, want := compareSums(&a, &b), bytes.Compare(a[:], b[:]); got != want {
			t.Fatalf("compareSums(%x, %x) = %d, want %d", a, b, got, want)
		}
	}
}

// TestIndexFileCountsAreBounded: an index file whose counts claim more
// entries than a file of its size holds, together or in one count, is
// not read (the cache reads the data file instead), and nothing is made
// for them.
func TestIndexFileCountsAreBounded(t *testing.T) {
	at := len(idxMagic) + 40
	for _, tt := range []struct {
		name   string
		counts func(size uint64) [4]uint64
	}{
		{"each a quarter too many", func(size uint64) [4]uint64 {
			n := size / idxDigestEntryLen
			return [4]uint64{n, n, n, n}
		}},
		{"one huge", func(uint64) [4]uint64 { return [4]uint64{1 << 40, 0, 0, 0} }},
		{"one past every bound", func(uint64) [4]uint64 { return [4]uint64{0, 0, 0, 1<<64 - 1} }},
	} {
		dir, path, keys := closedCache(t, 400)
		raw, err := os.ReadFile(idxPath(path))
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range tt.counts(uint64(len(raw))) {
			binary.LittleEndian.PutUint64(raw[at+8*i:], n)
		}
		raw = binary.LittleEndian.AppendUint32(raw[:len(raw)-4], crc32.Checksum(raw[:len(raw)-4], castagnoli))
		if err := os.WriteFile(idxPath(path), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c := openTestCache(t, dir)
		runtime.ReadMemStats(&m1)
		if c.Stats().FromIndex {
			t.Errorf("%s: an index file claiming more entries than it can hold was used", tt.name)
		}
		if n := m1.TotalAlloc - m0.TotalAlloc; n > 8<<20 {
			t.Errorf("%s: %d bytes made for the claimed entries", tt.name, n)
		}
		checkAll(t, c, keys, func(string) string { return "" })
		c.Close()
	}
}

// TestIndexFileOfShortKeysOpens: an index of many short keys held as
// they are (IMAP's "UIDVALIDITY/UID", entries shorter than a digest's)
// and one digest is read, as the cache wrote it.
func TestIndexFileOfShortKeysOpens(t *testing.T) {
	dir := t.TempDir()
	c := openTestCache(t, dir)
	var keys []string
	for i := range 2000 {
		keys = append(keys, fmt.Sprintf("1700000000/%d", 100000+i))
	}
	keys = append(keys, "paired-"+sha256Hex("x"))
	putAll(t, c, keys, "")
	c = reopenFromIndex(t, c, dir, "the index file the cache wrote")
	checkAll(t, c, keys, func(string) string { return "" })
}

// reopenFromIndex closes c, which writes its index file, and opens the
// cache in dir again, failing unless it is opened from that file (what
// names it); the test closes it.
func reopenFromIndex(t *testing.T, c *Cache, dir, what string) *Cache {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = openTestCache(t, dir)
	t.Cleanup(func() { c.Close() })
	if !c.Stats().FromIndex {
		t.Fatalf("%s was not used", what)
	}
	return c
}
