package app

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/model/store/prefault"
)

// listingDigest hashes a listing for a snapshot (see snapshotKey): the
// entries as they are listed, then the digest of the refs of their
// cached results (refsHash), each looked up in the cache as its entry is
// added, then their count.
//
// A digest for a row replay (newKeptDigest) keeps each entry's stamp
// sum, ID and ref, which the replay reads the rows' messages back by.
// Any other (newStreamedDigest: a check of a snapshot before a replay of
// messages, a scan recording one) keeps none: at a million messages the
// arrays took 65 MB, mapped in at once, beside the listing and the
// cache's index at the start, where a warm scan's memory peaks.
type listingDigest struct {
	h hash.Hash
	// refsHash hashes, for each entry in order, its cached result's ref,
	// or zeros for none (uncachedOK), as the entry is added.
	refsHash hash.Hash
	buf      []byte   // a field as it is hashed, reused
	refBuf   [17]byte // a ref as it is hashed (hashRef)
	n        int      // entries added
	keys     [][sha256.Size]byte
	ids      []model.MessageID
	// refs are the refs of the keys' cached results, zero for none
	// (kept); nil otherwise.
	refs  []store.RecordRef
	cache *store.Cache
	// kept is set when the stamp sums and refs are kept (a row replay),
	// keepIDs when the IDs are (a row replay, a console's recording
	// scan). missed are the IDs of the entries without a cached result.
	kept    bool
	keepIDs bool
	missed  []model.MessageID
	ok      bool // every entry so far has a stamp and no error
	// prefixAt, when set, is the count of entries whose digest is taken
	// on the way (prefix), as sum would have taken it had the listing
	// ended there: the listing of a snapshot that new mail followed
	// (replayable). prefixMissed counts the entries of it without a
	// cached result.
	prefixAt     int
	prefix       string
	prefixMissed int
	// prefixRefs is refsHash as it was at prefixAt, for the digest of
	// the whole listing with the refs the new mail has once the check
	// has cached it (extendedSum); nil until then.
	prefixRefs hash.Hash
	// table, kept for a scan that records a snapshot (keepTable), are
	// the entries' keys for its table (snapshottable.go): 8 MB at a
	// million messages, beside a pairing of the whole listing.
	keepTable bool
	table     []uint64
	keyer     entryKeyer
	// cutAt, when set, is called with each entry's key (entryKeyer)
	// before it is added: true takes the digest so far as the prefix
	// (prefixAt), where the place is found as the listing is matched
	// against a table (replayRemoved), and unsets cutAt.
	cutAt func(key uint64) bool
}

// letGo drops the digest's per-entry arrays, summed and compared
// already, for a scan that reads them no more (a replay): they would
// stay in the heap beside the rows (64 MB at a million messages).
func (d *listingDigest) letGo() { d.keys, d.refs, d.ids = nil, nil, nil }

// maxSizeHint bounds the room made ahead for a listing of a size read
// from the cache's snapshot, a file: a damaged or forged count must not
// reserve gigabytes before a single entry is listed.
const maxSizeHint = 1 << 20

// newKeptDigest starts the digest of a listing of about size entries,
// salted with the pairing settings, whose cached results are looked up
// in c, keeping each entry's stamp sum, ID and ref. The room for them is
// mapped in at once (package prefault): faulted in page by page as the
// listing came, it was 30 ms of a warm start at 100,000 messages, and
// the refs grown from nothing were copied as they grew, 35 ms more.
//
// The room is for the room entries the cache suggests, and then for new
// mail: a few mails' worth (maxAppended) mapped in, and a busy day's
// (appendedMost) reserved but touched only if it comes, or its first
// entry past the room copied every array grown (80 MB at a million
// messages: the concurrency review).
func newKeptDigest(salt string, room int, c *store.Cache) *listingDigest {
	room = min(room, maxSizeHint) // a count the cache file gives: room grows beyond it
	size, touched := room+appendedMost(room), room+maxAppended
	d := newStreamedDigest(salt, c)
	d.kept, d.keepIDs = true, true
	d.keys, d.ids, d.refs = make([][sha256.Size]byte, 0, size), make([]model.MessageID, 0, size), make([]store.RecordRef, 0, size)
	prefault.Slice(d.keys[:0:touched])
	prefault.Slice(d.ids[:0:touched])
	prefault.Slice(d.refs[:0:touched])
	return d
}

// newStreamedDigest starts the digest of a listing whose entries' cached
// results are looked up in c as they are added, keeping none.
func newStreamedDigest(salt string, c *store.Cache) *listingDigest {
	d := &listingDigest{h: sha256.New(), refsHash: sha256.New(), ok: true, cache: c}
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
	ref, ok := d.cache.StampRef(sum)
	received := receivedField(e)
	if d.keepTable || d.cutAt != nil {
		key := d.keyer.key(string(e.ID), &sum, received[:], e.Warning, ref, ok)
		if d.keepTable {
			d.table = append(d.table, key)
		}
		if d.cutAt != nil && d.cutAt(key) {
			// The prefix ends before this entry.
			d.prefixAt, d.prefix, d.cutAt = d.n, d.digestSoFar(), nil
		}
	}
	d.n++
	hashRef(d.refsHash, &d.refBuf, ref, ok)
	if d.kept {
		d.keys, d.refs = append(d.keys, sum), append(d.refs, ref)
	}
	if d.keepIDs {
		d.ids = append(d.ids, e.ID)
	}
	if !ok {
		d.missed = append(d.missed, e.ID)
	}
	d.fieldString(string(e.ID))
	d.field(sum[:])
	d.field(received[:])
	d.fieldString(e.Warning)
	if d.n == d.prefixAt {
		d.prefix = d.digestSoFar()
	}
}

// receivedField is an entry's delivery time as the digest hashes it:
// nanoseconds since 1970, big-endian, or zeros for none.
func receivedField(e mailsrc.Entry) [8]byte {
	var received [8]byte
	if !e.Received.IsZero() {
		binary.BigEndian.PutUint64(received[:], uint64(e.Received.UnixNano()))
	}
	return received
}

// digestSoFar is the digest of the entries added so far, as sum would
// finish it, or "" when the hashes cannot be copied to finish them.
func (d *listingDigest) digestSoFar() string {
	h, err1 := d.h.(hash.Cloner).Clone()
	refs, err2 := d.refsHash.(hash.Cloner).Clone()
	kept, err3 := d.refsHash.(hash.Cloner).Clone()
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	d.prefixMissed, d.prefixRefs = len(d.missed), kept
	return finishDigest(h, refs, d.n)
}

// finishDigest writes the refs' digest and the count n into h and
// returns its sum, spelled in hex.
func finishDigest(h, refsHash hash.Hash, n int) string {
	h.Write(refsHash.Sum(nil))
	var count [8]byte
	binary.BigEndian.PutUint64(count[:], uint64(n))
	h.Write(count[:])
	return hex.EncodeToString(h.Sum(nil))
}

// hashRef hashes the next entry's ref into refs, through b: ok says it
// has a cached result; zeros when it has none. b is the digest's field:
// an array on the stack escaped to the hash, a million allocations.
func hashRef(refs hash.Hash, b *[17]byte, ref store.RecordRef, ok bool) {
	putRef(b, ref, ok)
	refs.Write(b[:])
}

// putRef spells a cached result's ref as the digest hashes it (and a
// table keys it): a flag, then its place, length and write time; zeros
// for none (ok false).
func putRef(b *[17]byte, ref store.RecordRef, ok bool) {
	*b = [17]byte{}
	if ok {
		b[0] = 1
		binary.BigEndian.PutUint64(b[1:9], uint64(ref.Off))
		binary.BigEndian.PutUint32(b[9:13], ref.Len)
		binary.BigEndian.PutUint32(b[13:], ref.Written)
	}
}

// sum finishes the digest and returns the IDs of the entries without a
// cached result; false when a listed file has no stamp, or has no cached
// result and uncachedOK refuses it, or c is not the cache the digest
// looked in.
func (d *listingDigest) sum(c *store.Cache, uncachedOK func(model.MessageID) bool) (string, []model.MessageID, bool) {
	if !d.ok || d.cache != c {
		return "", nil, false
	}
	for _, id := range d.missed {
		if !uncachedOK(id) {
			return "", nil, false
		}
	}
	return finishDigest(d.h, d.refsHash, d.n), d.missed, true
}

// prefixSum returns the digest of the first prefixAt entries, taken on
// the way (add), when it is that of a listing sum would accept: every
// entry listed has a stamp, and each entry of the first prefixAt
// without a cached result is one uncachedOK accepts. The entries after
// them may have none.
func (d *listingDigest) prefixSum(c *store.Cache, uncachedOK func(model.MessageID) bool) (string, bool) {
	if !d.ok || d.cache != c || d.prefix == "" || d.n <= d.prefixAt {
		return "", false
	}
	for _, id := range d.missed[:d.prefixMissed] {
		if !uncachedOK(id) {
			return "", false
		}
	}
	return d.prefix, true
}

// extendedSum returns the digest sum would take of the whole listing,
// entries, were each entry after prefixAt added now: with the ref its
// result has in the cache now (the new mail's, which the check of the
// new mail cached after it was listed; an unchanged ref otherwise), and
// the IDs of the entries without a cached result, each of which
// uncachedOK must accept. It reads d, which stays as it was: the
// listing's fields are all hashed already, and only the refs after
// prefixAt are hashed again, from the state they were in at prefixAt.
// False when the digest is not one of all of entries with its prefix
// taken, or c is not the cache it looked in.
func (d *listingDigest) extendedSum(c *store.Cache, entries *heldEntries, uncachedOK func(model.MessageID) bool) (string, []model.MessageID, bool) {
	if !d.ok || d.cache != c || d.prefixRefs == nil || d.n != entries.len() || d.n < d.prefixAt {
		return "", nil, false
	}
	h, err1 := d.h.(hash.Cloner).Clone()
	refs, err2 := d.prefixRefs.(hash.Cloner).Clone()
	if err1 != nil || err2 != nil {
		return "", nil, false
	}
	missed := slices.Clone(d.missed[:d.prefixMissed])
	for _, id := range missed {
		if !uncachedOK(id) {
			return "", nil, false
		}
	}
	var b [17]byte
	for i := d.prefixAt; i < d.n; i++ {
		e := entries.at(i)
		if e.Stamp == "" {
			return "", nil, false
		}
		ref, ok := c.StampRef(scan.StampSum(e))
		hashRef(refs, &b, ref, ok)
		if !ok {
			if !uncachedOK(e.ID) {
				return "", nil, false
			}
			missed = append(missed, e.ID)
		}
	}
	return finishDigest(h, refs, d.n), missed, true
}
