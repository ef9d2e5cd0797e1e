package mailsrc

import (
	"bytes"
	"cmp"
	"errors"
	"math"
	"slices"

	"mxaudit/model"
)

// maildirIndex is one listing of a Maildir, compact: every file name back
// to back in one byte arena, and a 16-byte record per message, sorted in
// delivery order and folded to one record per ID. It serves both the
// listing (the order) and Open (a binary search by ID), so a listing costs
// about 16 bytes plus the name's length per message, where strings, a
// slice of them and a map from ID to file cost about 250 at 100,000
// messages (and a gigabyte-sized heap at ten million).
type maildirIndex struct {
	names []byte
	recs  []maildirRec
}

// maildirRec is one listed file. Its name is names[off:off+n]; its ID the
// first idLen bytes of that (everything before the first ':').
type maildirRec struct {
	stamp int64  // maildirStamp of the name
	off   uint32 // where the name starts in the arena
	n     uint16 // the name's length, with maildirRecNew set for new/
	idLen uint16
}

// maildirRecNew marks a record of a file in new/ (not cur/) in its n.
const maildirRecNew = 1 << 15

// errMaildirTooLarge is returned when a listing's names do not fit the
// index: four gigabytes of file names, some hundred million messages.
var errMaildirTooLarge = errors.New("too many files for one listing")

// add records the file name found in folder sub ("cur" or "new").
func (x *maildirIndex) add(sub, name string) error {
	if len(name) >= maildirRecNew || len(x.names)+len(name) > math.MaxUint32 {
		return errMaildirTooLarge
	}
	r := maildirRec{
		stamp: maildirStamp(name),
		off:   uint32(len(x.names)),
		n:     uint16(len(name)),
		idLen: uint16(len(maildirID(name))),
	}
	if sub == "new" {
		r.n |= maildirRecNew
	}
	x.names = append(x.names, name...)
	x.recs = append(x.recs, r)
	return nil
}

func (x *maildirIndex) name(r maildirRec) []byte {
	return x.names[r.off : r.off+uint32(r.n&^maildirRecNew)]
}

func (x *maildirIndex) id(r maildirRec) []byte { return x.names[r.off : r.off+uint32(r.idLen)] }

func (x *maildirIndex) sub(r maildirRec) string {
	if r.n&maildirRecNew != 0 {
		return "new"
	}
	return "cur"
}

// compare orders two records by delivery: by stamp, then by ID, then the
// cur/ copy before the new/ one ("cur" < "new"), then by name.
func (x *maildirIndex) compare(a, b maildirRec) int {
	return cmp.Or(cmp.Compare(a.stamp, b.stamp), bytes.Compare(x.id(a), x.id(b)),
		cmp.Compare(a.n&maildirRecNew, b.n&maildirRecNew), bytes.Compare(x.name(a), x.name(b)))
}

// sort puts the records in delivery order and keeps one per ID: the first
// of a run, so the copy in cur/ when a message was seen in both folders
// (the newer place of a file that moved while the listing ran). The
// arena's bytes of the dropped copies stay until the next listing.
func (x *maildirIndex) sort() {
	slices.SortFunc(x.recs, x.compare)
	x.recs = slices.CompactFunc(x.recs, func(a, b maildirRec) bool {
		return a.stamp == b.stamp && bytes.Equal(x.id(a), x.id(b))
	})
	x.recs = slices.Clip(x.recs)
}

// len is the number of messages listed.
func (x *maildirIndex) len() int { return len(x.recs) }

// at returns the i-th message in delivery order.
func (x *maildirIndex) at(i int) maildirListed {
	r := x.recs[i]
	name := string(x.name(r))
	return maildirListed{
		id:    model.MessageID(name[:r.idLen]),
		stamp: r.stamp,
		file:  maildirFile{sub: x.sub(r), name: name},
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
	i, found := slices.BinarySearchFunc(x.recs, key, func(r maildirRec, key []byte) int {
		return cmp.Or(cmp.Compare(r.stamp, stamp), bytes.Compare(x.id(r), key))
	})
	if !found {
		return maildirFile{}, false
	}
	r := x.recs[i]
	return maildirFile{sub: x.sub(r), name: string(x.name(r))}, true
}
