package mailsrc

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

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
	md.listed = found

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
