package app

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/model/store/prefault"
)

// listingDigest hashes a listing for a snapshot (see snapshotKey): the
// entries as they are listed, then the digest of the refs of their
// cached results (refsHash), then their count.
//
// It keeps, per entry, what its later readers need: the stamp sums and
// IDs (keys, ids) for a sum that looks the refs up at the end (a scan
// that pairs and records a snapshot, whose results are cached as it
// goes), and the refs too (lookIn) for a row replay, which reads the
// rows' messages back by them. A digest that only checks a snapshot
// before a replay of messages (newStreamedDigest) keeps none: each
// entry's ref is looked up and hashed as it is listed, which at a
// million messages kept 65 MB of arrays, mapped in at once, beside the
// listing and the cache's index at the start, where a warm scan's
// memory peaks.
type listingDigest struct {
	h hash.Hash
	// refsHash hashes, for each entry in order, its cached result's ref,
	// or zeros for none (uncachedOK): as the entry is added (streamed),
	// else in sum.
	refsHash hash.Hash
	buf      []byte // a field as it is hashed, reused
	refBuf   [17]byte
	n        int // entries added
	keys     [][sha256.Size]byte
	ids      []model.MessageID // of the keys, to name those without a result
	// refs are the refs of the keys' cached results and found whether
	// each has one, as each entry is added when the digest looks in a
	// cache (lookIn); nil otherwise.
	refs  []store.RecordRef
	found []bool
	cache *store.Cache
	// streamed is set when each ref is hashed as its entry is added,
	// and nothing is kept per entry but the IDs of those without a
	// cached result (missed).
	streamed bool
	missed   []model.MessageID
	ok       bool // every entry so far has a stamp and no error
}

// letGo drops the digest's per-entry arrays, summed and compared
// already, for a scan that reads them no more (a replay): they would
// stay in the heap beside the rows (64 MB at a million messages).
func (d *listingDigest) letGo() { d.keys, d.refs, d.found, d.ids = nil, nil, nil, nil }

// lookIn makes add look each entry's cached result up in c as it comes,
// rather than sum all of them at the end: the lookups then overlap with
// the listing. The refs get the room the keys have, mapped in at once:
// grown from nothing, they were copied as they grew, 35 ms of a warm
// start at 100,000 messages.
func (d *listingDigest) lookIn(c *store.Cache) {
	d.cache = c
	d.refs, d.found = make([]store.RecordRef, 0, cap(d.keys)), make([]bool, 0, cap(d.keys))
	prefault.Slice(d.refs)
}

// maxSizeHint bounds the room made ahead for a listing of a size read
// from the cache's snapshot, a file: a damaged or forged count must not
// reserve gigabytes before a single entry is listed.
const maxSizeHint = 1 << 20

// newListingDigest starts the digest of a listing of about size entries,
// salted with the pairing settings, keeping each entry's stamp sum and
// ID. The room for them is mapped in at once (package prefault): faulted
// in page by page as the listing came, it was 30 ms of a warm start at
// 100,000 messages.
func newListingDigest(salt string, size int) *listingDigest {
	size = min(size, maxSizeHint) // a count the cache file gives: room grows beyond it
	d := &listingDigest{h: sha256.New(), refsHash: sha256.New(), ok: true,
		keys: make([][sha256.Size]byte, 0, size), ids: make([]model.MessageID, 0, size)}
	prefault.Slice(d.keys)
	prefault.Slice(d.ids)
	d.field([]byte{snapshotVersion})
	d.fieldString(salt)
	return d
}

// newStreamedDigest starts the digest of a listing whose entries' cached
// results are looked up in c as they are added, and kept nowhere: for a
// check of a snapshot that reads nothing of the digest but its sum.
func newStreamedDigest(salt string, c *store.Cache) *listingDigest {
	d := &listingDigest{h: sha256.New(), refsHash: sha256.New(), ok: true, cache: c, streamed: true}
	d.field([]byte{snapshotVersion})
	d.fieldString(salt)
	return d
}

// field writes b with its length, so that no two listings hash alike.
func (d *listingDigest) field(b []byte) { d.write(appendField(d.buf[:0], b)) }

// fieldString is field for a string, without copying it first.
func (d *listingDigest) fieldString(s string) { d.write(appendField(d.buf[:0], s)) }

func (d *listingDigest) write(b []byte) {
	d.h.Write(b)
	d.buf = b
}

// appendField appends b with its length before it.
func appendField[T string | []byte](buf []byte, b T) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(b))), b...)
}

func (d *listingDigest) add(e mailsrc.Entry) {
	if !d.ok {
		return
	}
	if e.Err != nil || e.Stamp == "" {
		d.ok = false
		return
	}
	sum := scan.StampSum(e)
	d.n++
	switch {
	case d.streamed:
		ref, ok := d.cache.StampRef(sum)
		d.hashRef(ref, ok)
		if !ok {
			d.missed = append(d.missed, e.ID)
		}
	default:
		d.keys = append(d.keys, sum)
		d.ids = append(d.ids, e.ID)
		if d.cache != nil {
			ref, ok := d.cache.StampRef(sum)
			d.refs, d.found = append(d.refs, ref), append(d.found, ok)
		}
	}
	var received [8]byte
	if !e.Received.IsZero() {
		binary.BigEndian.PutUint64(received[:], uint64(e.Received.UnixNano()))
	}
	d.fieldString(string(e.ID))
	d.field(sum[:])
	d.field(received[:])
	d.fieldString(e.Warning)
}

// hashRef hashes the next entry's ref into refsHash: ok says it has a
// cached result; zeros when it has none.
func (d *listingDigest) hashRef(ref store.RecordRef, ok bool) {
	b := &d.refBuf // a field: an array on the stack escaped to the hash, a million allocations
	*b = [17]byte{}
	if ok {
		b[0] = 1
		binary.BigEndian.PutUint64(b[1:9], uint64(ref.Off))
		binary.BigEndian.PutUint32(b[9:13], ref.Len)
		binary.BigEndian.PutUint32(b[13:], ref.Written)
	}
	d.refsHash.Write(b[:])
}

// sum finishes the digest with the refs of the entries' cached results,
// and returns the IDs of the entries without one; false when a listed
// file has no stamp, or has no cached result and uncachedOK refuses it.
// A streamed digest sums only with the cache it looked in.
func (d *listingDigest) sum(c *store.Cache, uncachedOK func(model.MessageID) bool) (string, []model.MessageID, bool) {
	if !d.ok || d.streamed && d.cache != c {
		return "", nil, false
	}
	var uncached []model.MessageID
	if d.streamed {
		for _, id := range d.missed {
			if !uncachedOK(id) {
				return "", nil, false
			}
			uncached = append(uncached, id)
		}
	} else {
		// Refs not looked up as the entries came (lookIn) are looked up
		// here one at a time, not kept: nothing reads them after the
		// sum, and arrays of them were made at the scan's end, where its
		// heap peaks (17 MB at a million messages).
		looked := d.cache == c && len(d.refs) == len(d.keys)
		for i, k := range d.keys {
			var ref store.RecordRef
			var ok bool
			if looked {
				ref, ok = d.refs[i], d.found[i]
			} else {
				ref, ok = c.StampRef(k)
			}
			if !ok {
				if !uncachedOK(d.ids[i]) {
					return "", nil, false
				}
				uncached = append(uncached, d.ids[i])
			}
			d.hashRef(ref, ok)
		}
	}
	d.h.Write(d.refsHash.Sum(nil))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(d.n))
	d.h.Write(n[:])
	return hex.EncodeToString(d.h.Sum(nil)), uncached, true
}
