package mailsrc

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"

	"mxaudit/model"
)

// maildirIndex is one listing of a Maildir, compact: every file name,
// followed by its inode number, back to back in 64 KiB blocks, and a
// 16-byte record per message, sorted in delivery order and folded to one
// record per ID, then kept in 8 bytes (the stamp is read again from the
// name when needed). It serves both the listing (the order) and Open (a
// binary search by ID), so a listing costs about 16 bytes plus the name's
// length per message, where strings, a
// slice of them and a map from ID to file cost about 250 at 100,000
// messages (and a gigabyte-sized heap at ten million).
type maildirIndex struct {
	// blocks hold the names. Blocks of a fixed size, not one growing
	// slice: growing would copy the names again and again (a quarter of
	// the time to the first entry at 100,000 messages).
	blocks [][]byte
	// added holds the records as the folders are read, in chunks for the
	// same reason; sort orders them and keeps their slots.
	added [][]maildirRec
	slots []maildirSlot // in delivery order
}

// After each name in the blocks comes the file's inode number as its
// folder gave it (0 where unknown), a listed file's stamp (see
// Maildir.List): in 4 bytes when it fits, as on ext4, else in 8 with
// maildirInoWide set in the record's idLen. Beside the name it costs no
// field in the records, which a listing sorts and holds twice for a
// moment (at 1,000,000 messages a field of its own raised the scan's
// peak by 30 MiB).
const (
	inoLen     = 4
	inoWideLen = 8
)

// maildirRecChunk is how many records a chunk of added holds (64 KiB):
// 1<<maildirRecChunkBits, so that a record's place in its chunk fits the
// low bits of its sort key (sortKey).
const (
	maildirRecChunkBits = 12
	maildirRecChunk     = 1 << maildirRecChunkBits
)

// maildirBlockBits is the size of a block of names: 64 KiB, twice the
// longest name a record can hold, so that every name fits one block.
const maildirBlockBits = 16

// maildirRec is a listed file with its stamp, while the listing is sorted.
type maildirRec struct {
	stamp int64 // maildirStamp of the name
	maildirSlot
}

// maildirSlot is one listed file. Its name starts at byte off%64Ki of
// block off/64Ki; its ID is the first idLen bytes of the name (everything
// before the first ':'), maildirInoWide aside.
type maildirSlot struct {
	off   uint32 // where the name starts: block and place in it
	n     uint16 // the name's length, with maildirRecNew set for new/
	idLen uint16
}

// maildirRecNew marks a record of a file in new/ (not cur/) in its n;
// maildirInoWide one whose inode number takes 8 bytes, in its idLen.
const (
	maildirRecNew  = 1 << 15
	maildirInoWide = 1 << 15
)

// errMaildirTooLarge is returned when a listing's names do not fit the
// index: four gigabytes of file names, some hundred million messages, or
// a name of 32 KiB (no file system allows one).
var errMaildirTooLarge = errors.New("too many files for one listing")

// add records the file name found in folder sub ("cur" or "new"), of
// inode number ino (0: unknown). It keeps a copy of name.
func (x *maildirIndex) add(sub string, name []byte, ino uint64) error {
	if len(name) >= maildirRecNew {
		return errMaildirTooLarge
	}
	if len(x.blocks) == 0 || len(x.blocks[len(x.blocks)-1])+len(name)+inoWideLen > 1<<maildirBlockBits {
		if len(x.blocks) > math.MaxUint32>>maildirBlockBits {
			return errMaildirTooLarge
		}
		x.blocks = append(x.blocks, make([]byte, 0, 1<<maildirBlockBits))
	}
	last := &x.blocks[len(x.blocks)-1]
	r := maildirRec{stamp: maildirStamp(name), maildirSlot: maildirSlot{
		off:   uint32((len(x.blocks)-1)<<maildirBlockBits + len(*last)),
		n:     uint16(len(name)),
		idLen: uint16(maildirIDLen(name)),
	}}
	if sub == "new" {
		r.n |= maildirRecNew
	}
	*last = append(*last, name...)
	if ino > math.MaxUint32 {
		r.idLen |= maildirInoWide
		*last = binary.LittleEndian.AppendUint64(*last, ino)
	} else {
		*last = binary.LittleEndian.AppendUint32(*last, uint32(ino))
	}
	if len(x.added) == 0 || len(x.added[len(x.added)-1]) == maildirRecChunk {
		x.added = append(x.added, make([]maildirRec, 0, maildirRecChunk))
	}
	x.added[len(x.added)-1] = append(x.added[len(x.added)-1], r)
	return nil
}

func (x *maildirIndex) name(r maildirSlot) []byte {
	at := r.off & (1<<maildirBlockBits - 1)
	return x.blocks[r.off>>maildirBlockBits][at : at+uint32(r.n&^maildirRecNew)]
}

func (x *maildirIndex) id(r maildirSlot) []byte { return x.name(r)[:r.idLen&^maildirInoWide] }

// ino returns the inode number stored after the name (see inoLen).
func (x *maildirIndex) ino(r maildirSlot) uint64 {
	name := x.name(r)
	if r.idLen&maildirInoWide != 0 {
		return binary.LittleEndian.Uint64(name[len(name) : len(name)+inoWideLen])
	}
	return uint64(binary.LittleEndian.Uint32(name[len(name) : len(name)+inoLen]))
}

func (x *maildirIndex) sub(r maildirSlot) string {
	if r.n&maildirRecNew != 0 {
		return "new"
	}
	return "cur"
}

// compare orders two records by delivery: by stamp, then by ID, then the
// cur/ copy before the new/ one ("cur" < "new"), then by name. (Not with
// cmp.Or, which would compare the names of every pair: most pairs differ
// in their stamps.)
func (x *maildirIndex) compare(a, b maildirRec) int {
	if a.stamp != b.stamp {
		return cmp.Compare(a.stamp, b.stamp)
	}
	if c := bytes.Compare(x.id(a.maildirSlot), x.id(b.maildirSlot)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.n&maildirRecNew, b.n&maildirRecNew); c != 0 {
		return c
	}
	return bytes.Compare(x.name(a.maildirSlot), x.name(b.maildirSlot))
}

// len is the number of messages listed.
func (x *maildirIndex) len() int { return len(x.slots) }

// at returns the i-th message in delivery order.
func (x *maildirIndex) at(i int) maildirListed {
	r := x.slots[i]
	name := string(x.name(r))
	return maildirListed{
		id:    model.MessageID(name[:r.idLen&^maildirInoWide]),
		stamp: maildirStamp(name),
		file:  maildirFile{sub: x.sub(r), name: name},
		ino:   x.ino(r),
	}
}

// find returns where the listing saw message id, by binary search: the
// records are sorted by stamp and ID, and an ID's stamp is its name's. An
// ID that cannot name a Maildir file (validMaildirID) is never found.
func (x *maildirIndex) find(id model.MessageID) (maildirFile, bool) {
	if x == nil || !validMaildirID(id) {
		return maildirFile{}, false
	}
	stamp, key := maildirStamp(string(id)), []byte(id)
	i, found := slices.BinarySearchFunc(x.slots, key, func(r maildirSlot, key []byte) int {
		id := x.id(r)
		if s := maildirStamp(id); s != stamp {
			return cmp.Compare(s, stamp)
		}
		return bytes.Compare(id, key)
	})
	if !found {
		return maildirFile{}, false
	}
	r := x.slots[i]
	return maildirFile{sub: x.sub(r), name: string(x.name(r))}, true
}
