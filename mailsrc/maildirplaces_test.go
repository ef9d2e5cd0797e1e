package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

func TestMaildirPlacesFind(t *testing.T) {
	// trickyNames, and a Maildir of many info parts, so that the
	// places' low bits hold a wide index (13 bits) beside the hash.
	many := slices.Clone(trickyNames)
	for i := range 5000 {
		many = append(many, maildirFile{"cur", fmt.Sprintf("1700001000.M%dP1.host:2,%x", i, i)})
	}
	for _, files := range [][]maildirFile{trickyNames, many} {
		x, listed := indexOrder(t, files)
		p := newMaildirPlaces(x, len(files))
		for _, l := range listed {
			got := p.find(l.id)
			if !validMaildirID(l.id) {
				if len(got) != 0 {
					t.Errorf("find(%q) = %v, want nothing: no file can be opened by that ID", l.id, got)
				}
				continue
			}
			if !slices.Contains(got, l.file) {
				t.Errorf("find(%q) = %v, want %v among them", l.id, got, l.file)
			}
		}
		for _, id := range []model.MessageID{"1700000400.M4P1", "1700000400.M4P1.host:2,S", "1700000401.M4P1.host", "999.M0P1.hos", "no", "", "cur/no-stamp"} {
			if got := p.find(id); len(got) != 0 {
				t.Errorf("find(%q) = %v, want nothing", id, got)
			}
		}
	}
	var none *maildirPlaces
	if got := none.find("1.M1.host"); len(got) != 0 {
		t.Errorf("found %v in no listing", got)
	}
}

// TestMaildirOpensPastACollision makes two IDs' places share a hash, the
// wrong one first: Open and the actions' lookup try both and take the
// file that is there, which can only be the message asked for (its name
// starts with the ID), without reading a folder.
func TestMaildirOpensPastACollision(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000001.M1P1.host:2,S": "Subject: one\n\nfirst\n",
		"new/1700000002.M2P1.host":     "Subject: two\n\nsecond\n",
	})
	listAll(t, md)
	p := md.places
	if p == nil || md.listing != nil {
		t.Fatal("a finished listing left no places, or kept its names")
	}
	if len(p.infos) != 2 {
		t.Fatalf("infos %v, want two", p.infos)
	}
	// Both places under the hash of the first ID, the other's info
	// first (the lower index sorts first).
	if p.infos[0].sub != "new" {
		p.infos[0], p.infos[1] = p.infos[1], p.infos[0]
	}
	h := p.hash([]byte("1700000001.M1P1.host")) << p.refBits
	p.places = []uint64{h, h | 1} // infos 0 and 1
	got := md.lookup("1700000001.M1P1.host")
	want := []maildirFile{{"new", "1700000001.M1P1.host"}, {"cur", "1700000001.M1P1.host:2,S"}}
	if !slices.Equal(got, want) {
		t.Fatalf("lookup = %v, want both places %v", got, want)
	}
	// Open must not resolve by reading the folders: with the folders'
	// own roots open (as after any Open) and the Maildir's root closed,
	// the slow path fails and the places alone can succeed.
	md.folder("cur")
	md.folder("new")
	closed, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	root := md.root
	md.root = closed
	r, err := md.Open(context.Background(), "1700000001.M1P1.host")
	md.root = root
	if err != nil {
		t.Fatalf("Open past a collision: %v", err)
	}
	body, _ := io.ReadAll(r)
	r.Close()
	if string(body) != "Subject: one\n\nfirst\n" {
		t.Errorf("Open past a collision read %q", body)
	}
	// A wrong place that names something other than a file is passed
	// over too.
	if err := os.Mkdir(filepath.Join(dir, "new", "1700000001.M1P1.host"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r, err = md.Open(context.Background(), "1700000001.M1P1.host"); err != nil {
		t.Fatalf("Open past a folder at a wrong place: %v", err)
	}
	r.Close()
	// A wrong place that is a symbolic link, to another message, is
	// refused: os.Root follows a link within the root.
	if err := os.Remove(filepath.Join(dir, "new", "1700000001.M1P1.host")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("1700000002.M2P1.host", filepath.Join(dir, "new", "1700000001.M1P1.host")); err != nil {
		t.Fatal(err)
	}
	if r, err = md.Open(context.Background(), "1700000001.M1P1.host"); err != nil {
		t.Fatalf("Open past a link at a wrong place: %v", err)
	}
	if body, _ := io.ReadAll(r); string(body) != "Subject: one\n\nfirst\n" {
		t.Errorf("Open past a link at a wrong place read %q", body)
	}
	r.Close()
	loc, err := md.quarantine().locate(context.Background(), "1700000001.M1P1.host")
	if err != nil || loc != "cur/1700000001.M1P1.host:2,S" {
		t.Errorf("locate = %q, %v", loc, err)
	}
	// The second message has no place now: it is found by its name.
	r, err = md.Open(context.Background(), "1700000002.M2P1.host")
	if err != nil {
		t.Fatalf("Open without a place: %v", err)
	}
	r.Close()
	// Found by its name (no place), a link is refused too: the only
	// file named for a third ID points at the first message.
	if err := os.Symlink("1700000001.M1P1.host:2,S", filepath.Join(dir, "cur", "1700000003.M3P1.host:2,S")); err != nil {
		t.Fatal(err)
	}
	if r, err := md.Open(context.Background(), "1700000003.M3P1.host"); !errors.Is(err, ErrNotFound) {
		if err == nil {
			r.Close()
		}
		t.Errorf("Open of a link found by its name: %v, want not found", err)
	}
}

// BenchmarkMaildirPlaces times what a listing of 100,000 messages adds at
// its end: their places, made from its names.
func BenchmarkMaildirPlaces(b *testing.B) {
	x := &maildirIndex{}
	for i := range 100000 {
		sub, info := "cur", ":2,S"
		switch i % 3 {
		case 0:
			sub, info = "new", ""
		case 1:
			info = ":2,FS"
		}
		name := fmt.Sprintf("%d.M%dP%d.bulk%s", 1794787200+i*17, i, 20000+i, info)
		if err := x.add(sub, []byte(name), uint64(1000+i)); err != nil {
			b.Fatal(err)
		}
	}
	x.sort()
	b.ReportAllocs()
	for b.Loop() {
		newMaildirPlaces(x, placeInfosMost(x.len()))
	}
}

// TestMaildirKeepsTheNewerListing begins a listing, and while it has
// its names sorted but not installed, delivers a message and runs a whole
// listing beside it (a poll's, say): the first must not replace the
// second's newer names, and the message delivered is found by its place.
func TestMaildirKeepsTheNewerListing(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000001.M1P1.host:2,S": "Subject: one\n\n",
	})
	var second []Entry
	md.sorted = func() {
		md.sorted = nil
		writeFile(t, dir, "new/1700000002.M2P1.host", "Subject: two\n\n", time.Time{})
		second = listAll(t, md)
	}
	first := listAll(t, md)
	if len(first) != 1 || len(second) != 2 {
		t.Fatalf("the listings reported %d and %d messages, want 1 and 2", len(first), len(second))
	}
	if md.listing != nil || md.places == nil {
		t.Fatal("no places after both listings")
	}
	if got := md.lookup("1700000002.M2P1.host"); !slices.Equal(got, []maildirFile{{"new", "1700000002.M2P1.host"}}) {
		t.Errorf("the message the newer listing saw is found at %v: the older listing's names replaced its", got)
	}
}

// TestMaildirResolvesPastALink looks a message up by its name (no
// place) where the first file named for it is a link to another message:
// the search goes on to the message's own file, in the other folder.
func TestMaildirResolvesPastALink(t *testing.T) {
	dir, md := newTestMaildir(t, map[string]string{
		"cur/1700000009.M9P9.host:2,S": "Subject: other\n\n",
		"new/1700000001.M1P1.host:2,":  "Subject: own\n\n",
	})
	if err := os.Symlink("1700000009.M9P9.host:2,S", filepath.Join(dir, "cur", "1700000001.M1P1.host:2,S")); err != nil {
		t.Fatal(err)
	}
	r, err := md.Open(context.Background(), "1700000001.M1P1.host")
	if err != nil {
		t.Fatalf("Open past a link: %v", err)
	}
	defer r.Close()
	if body, _ := io.ReadAll(r); string(body) != "Subject: own\n\n" {
		t.Errorf("Open past a link read %q", body)
	}
}

// TestMaildirKeepsTheNamesOfManyInfoParts lists a Maildir whose every
// file has an info part of its own: past placeInfosMost the places would
// be no smaller than the names, which the Maildir then keeps.
func TestMaildirKeepsTheNamesOfManyInfoParts(t *testing.T) {
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("cur/%d.M%dP1.host:2,S,deliverer-%d", 1700000000+i, i, i)] = "Subject: x\n\n"
	}
	_, md := newTestMaildir(t, files)
	listAll(t, md)
	if md.listing == nil || md.places != nil {
		t.Fatalf("listing kept %v, places %v: want the names kept", md.listing != nil, md.places != nil)
	}
	if got := md.lookup("1700000007.M7P1.host"); !slices.Equal(got, []maildirFile{{"cur", "1700000007.M7P1.host:2,S,deliverer-7"}}) {
		t.Errorf("lookup = %v", got)
	}
	x, _ := indexOrder(t, []maildirFile{{"cur", "1.a:2,S"}, {"cur", "2.b:2,T"}, {"new", "3.c"}})
	if newMaildirPlaces(x, 2) != nil || newMaildirPlaces(x, 3) == nil {
		t.Error("placeInfosMost is not the bound")
	}
}

func TestSortPlaces(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 255, 256, 257, 1023, 1024, 1025, 5000, 100000} {
		for _, spread := range []string{"even", "narrow", "equal"} {
			a := make([]uint64, n)
			for i := range a {
				switch spread {
				case "even":
					a[i] = r.Uint64()
				case "narrow": // every place in a few buckets
					a[i] = 1<<63 | r.Uint64N(64)
				case "equal":
					a[i] = 42
				}
			}
			want := slices.Clone(a)
			slices.Sort(want)
			sortPlaces(a)
			if !slices.Equal(a, want) {
				t.Errorf("%d places, %s: not sorted", n, spread)
			}
		}
	}
}
