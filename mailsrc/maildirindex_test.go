package mailsrc

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// delivered is a listed file in the order the listing reports it.
type delivered struct {
	id   model.MessageID
	file maildirFile
}

// referenceOrder is the listing order as it was defined before the
// compact index, on plain strings: by stamp, ID, folder, name, and the
// first of each ID kept. The index must give exactly this.
func referenceOrder(found []maildirListed) []delivered {
	found = slices.Clone(found)
	slices.SortFunc(found, func(a, b maildirListed) int {
		return cmp.Or(cmp.Compare(a.stamp, b.stamp), strings.Compare(string(a.id), string(b.id)),
			strings.Compare(a.file.sub, b.file.sub), strings.Compare(a.file.name, b.file.name))
	})
	found = slices.CompactFunc(found, func(a, b maildirListed) bool { return a.id == b.id })
	out := make([]delivered, len(found))
	for i, l := range found {
		out[i] = delivered{l.id, l.file}
	}
	return out
}

// indexOrder builds the index from the same files and reads it back.
func indexOrder(t *testing.T, files []maildirFile) (*maildirIndex, []delivered) {
	t.Helper()
	x := &maildirIndex{}
	// Inode numbers of 32 and 64 bits, one per file (the same for a file
	// listed twice), kept beside the names.
	inos := map[maildirFile]uint64{}
	for _, f := range files {
		h := fnv.New64a()
		h.Write([]byte(f.sub + "/" + f.name))
		inos[f] = h.Sum64()
		if inos[f]&1 == 0 {
			inos[f] &= 0xffffffff // half of them in 4 bytes, as ext4's
		}
		if err := x.add(f.sub, []byte(f.name), inos[f]); err != nil {
			t.Fatal(err)
		}
	}
	x.sort()
	out := make([]delivered, x.len())
	for i := range out {
		l := x.at(i)
		if l.stamp != maildirStamp(l.file.name) {
			t.Errorf("%s: stamp %d", l.file.name, l.stamp)
		}
		if l.ino != inos[l.file] {
			t.Errorf("%s: inode number %#x, want %#x", l.file.name, l.ino, inos[l.file])
		}
		out[i] = delivered{l.id, l.file}
	}
	return x, out
}

// trickyNames are file names whose order is easy to get wrong: stamps of
// other lengths, leading zeros, more than 18 digits, no stamp, IDs that
// are prefixes of others, the same ID in both folders with other flags,
// several colons, bytes above 0x7f, empty IDs.
var trickyNames = []maildirFile{
	{"cur", "1700000300.M3P1.host,S=61:2,S"},
	{"new", "1700000100.M1P1.host"},
	{"cur", "1700000200.M2P1.host:2,RS"},
	{"cur", "999.M0P1.host:2,"},
	{"cur", "0999.M0P1.host:2,"},
	{"cur", "00000000000000000999.x:2,"},
	{"cur", "1234567890123456789012.overlong:2,"},
	{"cur", "1234567890123456780000.overlong:2,"},
	{"cur", "no-stamp:2,"},
	{"new", "no-stamp-either"},
	{"new", "1700000400.M4P1.host"},
	{"cur", "1700000400.M4P1.host:2,S"},
	{"cur", "1700000400.M4P1.host:2,FS"},
	{"new", "1700000400.M4P1.hos"},
	{"new", "1700000400.M4P1.host,S=5"},
	{"cur", "1700000400.M4P1.host,S=5:2,T"},
	{"new", "1700000500.M5P1.host:2,garbage"},
	{"cur", "1700000500.M5P1.host:2,a:b:c"},
	{"cur", "1700000500.Mé.hôst:2,S"},
	{"cur", "1700000500.M\xff.host:2,"},
	{"cur", ":2,S"},
	{"new", ":2,"},
	{"cur", "1700000500:2,S"},
	{"cur", "1700000500"},
	{"new", "1700000500"},
	{"cur", "17000005"},
	// 2^52 and 2^51 seconds: shifted into a sort key unbounded, the
	// first would key as 0 and sort first.
	{"cur", "4503599627370496.M9.wraps:2,S"},
	{"new", "2251799813685248.M9.edge"},
	{"new", "2251799813685247.M9.edge"},
}

func TestMaildirIndexKeepsTheOrder(t *testing.T) {
	random := func(seed uint64, n int) []maildirFile {
		r := rand.New(rand.NewPCG(seed, 1))
		out := make([]maildirFile, 0, n)
		for range n {
			// Few stamps and hosts, so that ties are common.
			name := fmt.Sprintf("%d.M%dP%d.%s", 1700000000+r.IntN(20), r.IntN(30), r.IntN(3), []string{"a", "ab", "b", "mx.example"}[r.IntN(4)])
			switch r.IntN(6) {
			case 0:
				name = strings.TrimLeft(name, "17") // shorter or no stamp
			case 1:
				name = "0" + name
			}
			sub := "cur"
			if r.IntN(3) == 0 {
				sub = "new"
			} else {
				name += ":2," + []string{"", "S", "RS", "FS", "T"}[r.IntN(5)]
			}
			out = append(out, maildirFile{sub, name})
		}
		return out
	}
	tests := []struct {
		name  string
		files []maildirFile
	}{
		{"empty", nil},
		{"one", trickyNames[:1]},
		{"tricky", trickyNames},
		{"tricky reversed", reversed(trickyNames)},
		{"random 1", random(1, 500)},
		{"random 2", random(2, 2000)},
		{"random 3", random(3, 5000)},
		{"random, many chunks", random(4, 9*maildirRecChunk+17)},
		{"stamps past a sort key's reach, many chunks", farStamps(5, 3*maildirRecChunk+5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listed := make([]maildirListed, len(tt.files))
			for i, f := range tt.files {
				listed[i] = maildirListed{id: maildirID(f.name), stamp: maildirStamp(f.name), file: f}
			}
			want := referenceOrder(listed)
			_, got := indexOrder(t, tt.files)
			if !slices.Equal(got, want) {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("first difference at %d of %d/%d: %+v, want %+v", i, len(got), len(want), got[i], want[i])
					}
				}
				t.Fatalf("listed %d, want %d", len(got), len(want))
			}
		})
	}
}

func TestMaildirIndexFinds(t *testing.T) {
	x, listed := indexOrder(t, trickyNames)
	for _, l := range listed {
		if !validMaildirID(l.id) {
			continue // ":2,S": listed (and left out when reported), never opened
		}
		f, ok := x.find(l.id)
		if !ok || f != l.file {
			t.Errorf("find(%q) = %+v, %v; want %+v", l.id, f, ok, l.file)
		}
	}
	for _, id := range []model.MessageID{"1700000400.M4P1", "1700000400.M4P1.host:2,S", "1700000401.M4P1.host", "999.M0P1.hos", "no", "", "cur/no-stamp"} {
		if f, ok := x.find(id); ok {
			t.Errorf("find(%q) = %+v, want not found", id, f)
		}
	}
	var none *maildirIndex
	if _, ok := none.find("1.M1.host"); ok {
		t.Error("found in no listing")
	}
}

func TestMaildirIndexRefusesOverlongNames(t *testing.T) {
	x := &maildirIndex{}
	if err := x.add("cur", bytes.Repeat([]byte("a"), maildirRecNew), 0); err == nil {
		t.Error("a name of 32 KiB was taken: its length would run into the folder bit")
	}
	if err := x.add("cur", bytes.Repeat([]byte("a"), maildirRecNew-1), 0); err != nil {
		t.Errorf("the longest name: %v", err)
	}
}

// TestMaildirListingIsCompact checks what a listing keeps per message
// once it is done (it serves Open until the next): a place of 8 bytes,
// not the name (43 bytes here, and the 8-byte record the listing sorts);
// a map from ID to file, and strings for each, cost over 150.
func TestMaildirListingIsCompact(t *testing.T) {
	const n = 5000
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("cur/%d.M%dP%d.mx.example.org:2,S", 1700000000+i*7, i, 4000+i)] = "Subject: x\n\n"
	}
	_, md := newTestMaildir(t, files)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if got := len(listAll(t, md)); got != n {
		t.Fatalf("listed %d, want %d", got, n)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perMessage := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes per message", perMessage)
	if perMessage > 12 {
		t.Errorf("the listing keeps %d bytes per message, want 8 (a place) and the slice's rounding", perMessage)
	}
	if got := md.lookup("1700000007.M1P4001.mx.example.org"); !slices.Equal(got, []maildirFile{{"cur", "1700000007.M1P4001.mx.example.org:2,S"}}) {
		t.Errorf("a listed message is found at %v", got)
	}
	runtime.KeepAlive(md)
}

func reversed(files []maildirFile) []maildirFile {
	out := slices.Clone(files)
	slices.Reverse(out)
	return out
}

// TestMaildirStatsAFewChunksAhead checks that the metadata is read only a
// few chunks ahead of fn: while fn holds the first entry, every file is
// removed; files whose metadata was read before are still reported, the
// rest are gone. Reading ahead without bound would report them all (and
// keep an entry per message of the Maildir in memory).
func TestMaildirStatsAFewChunksAhead(t *testing.T) {
	const n = 40 * statChunk
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("cur/%d.M%dP1.host:2,S", 1700000000+i, i)] = "Subject: x\n\n"
	}
	dir, md := newTestMaildir(t, files)
	md.statAll = true // the files' metadata is what runs ahead
	held, release := make(chan struct{}), make(chan struct{})
	go func() {
		<-held
		time.Sleep(200 * time.Millisecond) // room for the workers to run ahead, were they allowed to
		for name := range files {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				t.Error(err)
			}
		}
		close(release)
	}()
	reported := 0
	err := md.List(context.Background(), func(Entry) error {
		if reported++; reported == 1 {
			close(held)
			<-release
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if reported < 1 || reported > (statAhead+1)*statChunk {
		t.Errorf("reported %d of %d removed files, want at most %d: the metadata ran ahead of fn", reported, n, (statAhead+1)*statChunk)
	}
}

// TestStatRangeIsStatListed: the entries of a range of listed files are
// those statListed gives each, whether their folder gave their inode
// number or not (a file stat'ed, one gone since its folder was read);
// a range whose context is cancelled gives none.
func TestStatRangeIsStatListed(t *testing.T) {
	files := map[string]string{}
	for i := range 40 {
		sub := "cur"
		if i%3 == 0 {
			sub = "new"
		}
		name := fmt.Sprintf("%d.M%dP1.mx1", 1733000000+i, i)
		if sub == "cur" {
			name += ":2,S"
		}
		files[sub+"/"+name] = fmt.Sprintf("Subject: %d\n\nbody\n", i)
	}
	_, md := newTestMaildir(t, files)
	found := &maildirIndex{}
	i := 0
	for rel := range files {
		sub, name := filepath.Split(rel)
		var ino uint64
		switch i % 4 {
		case 0: // stat'ed
		case 1:
			ino = uint64(1000 + i)
		case 2:
			ino = math.MaxUint32 + uint64(i) // a wide one
		default:
			ino = uint64(i) // a short one
		}
		if err := found.add(filepath.Clean(sub), []byte(name), ino); err != nil {
			t.Fatal(err)
		}
		i++
	}
	if err := found.add("cur", []byte("1733999999.gone:2,S"), 0); err != nil { // listed, then gone
		t.Fatal(err)
	}
	found.sort()
	md.listing = found

	ctx := context.Background()
	var want []Entry
	for i := range found.len() {
		want = append(want, md.statListed(ctx, found.at(i)))
	}
	for _, r := range [][2]int{{0, found.len()}, {3, 17}, {5, 5}, {found.len() - 1, found.len()}} {
		got := md.statRange(ctx, found, r[0], r[1])
		if len(got) != r[1]-r[0] {
			t.Fatalf("range %v: %d entries", r, len(got))
		}
		for j, e := range got {
			w := want[r[0]+j]
			if e.ID != w.ID || e.Stamp != w.Stamp || e.Size != w.Size || !e.Received.Equal(w.Received) || (e.Err == nil) != (w.Err == nil) {
				t.Errorf("range %v, entry %d: %+v, want %+v", r, r[0]+j, e, w)
			}
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if got := md.statRange(cancelled, found, 0, found.len()); len(got) != 0 {
		t.Errorf("a cancelled range gave %d entries", len(got))
	}
}

// TestInoStampLen: inoStampLen is the length of inoStamp at every
// number of digits.
func TestInoStampLen(t *testing.T) {
	for ino := uint64(1); ; ino *= 10 {
		for _, n := range []uint64{ino - 1, ino, ino + 1} {
			if got, want := inoStampLen(n), len(inoStamp(n)); got != want {
				t.Fatalf("inoStampLen(%d) = %d, want %d", n, got, want)
			}
		}
		if ino > math.MaxUint64/10 {
			break
		}
	}
	if got, want := inoStampLen(math.MaxUint64), len(inoStamp(math.MaxUint64)); got != want {
		t.Fatalf("inoStampLen(max) = %d, want %d", got, want)
	}
}

// farStamps returns n names whose stamps lie about where a sort key stops
// telling them apart (2^51) and where an unbounded key would wrap (2^52,
// 2^63), shuffled over both folders: most of them tie in their keys, and
// every chunk holds some.
func farStamps(seed uint64, n int) []maildirFile {
	r := rand.New(rand.NewPCG(seed, 2))
	stamps := []string{"2251799813685246", "2251799813685247", "2251799813685248", "4503599627370495",
		"4503599627370496", "4503599627370497", "9223372036854775807", "999999999999999999", "1700000000", ""}
	out := make([]maildirFile, 0, n)
	for range n {
		name := fmt.Sprintf("%s.M%dP%d.far", stamps[r.IntN(len(stamps))], r.IntN(40), r.IntN(2))
		if r.IntN(3) == 0 {
			out = append(out, maildirFile{"new", name})
		} else {
			out = append(out, maildirFile{"cur", name + ":2,S"})
		}
	}
	return out
}

// TestSortKeyKeepsTheStampsOrder: a record's sort key orders it as its
// stamp does, the place in its chunk aside; stamps past what a key tells
// apart (none, or over 15 digits) key alike, after every other, and
// compare orders them.
func TestSortKeyKeepsTheStampsOrder(t *testing.T) {
	stamps := []int64{0, 1, 999, 1700000000, 1 << 40, sortKeyStampMax - 1, sortKeyStampMax,
		sortKeyStampMax + 1, 1 << 52, 1 << 62, 123456789012345678, math.MaxInt64}
	for _, a := range stamps {
		for _, b := range stamps {
			for _, places := range [][2]int{{0, 0}, {0, maildirRecChunk - 1}, {maildirRecChunk - 1, 0}} {
				ka, kb := sortKey(a, places[0]), sortKey(b, places[1])
				if ka&(maildirRecChunk-1) != uint64(places[0]) {
					t.Fatalf("key of %d at %d: place %d", a, places[0], ka&(maildirRecChunk-1))
				}
				ha, hb := ka>>sortKeyPlaceBits, kb>>sortKeyPlaceBits
				switch {
				case a >= sortKeyStampMax && b >= sortKeyStampMax:
					if ha != hb {
						t.Errorf("stamps %d and %d past the key's reach key apart", a, b)
					}
				case a < b && ha >= hb, a > b && ha <= hb, a == b && ha != hb:
					t.Errorf("stamps %d and %d key as %d and %d", a, b, ha, hb)
				}
			}
		}
	}
}
