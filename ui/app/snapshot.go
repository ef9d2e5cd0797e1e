package app

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"sync"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/model/store/prefault"
)

// A scan snapshot is the PPAP outcome of one whole scan of a file
// source, kept in the analysis cache: which messages pairing changed,
// and where the cache holds each one as it was emitted. A later scan
// whose listing, cached results and pairing settings are all the same
// (the same digest) replays it: it emits the cached results, swapping
// in the changed messages, and pairs nothing — no sender index, no
// held messages, no remembered pairing to look up and apply.
//
// Anything else pairs through the stream as before, where a remembered
// pairing is reused only while its own window of that sender is
// unchanged (ppap's resultKey), and records a new snapshot.
//
// The digest covers, in listing order, every entry's ID, delivery time,
// warning and stamp, and the place, length and write time of its cached
// result (store.RecordRef): the file is only appended to and compaction
// drops snapshots, so an unchanged ref is an unchanged result. Each
// changed message is named by its ref too. A snapshot is only recorded
// when every listed file has a stamp and a cached result and every
// pairing was remembered: a scan that paired afresh would pair again
// next time and is not to be frozen. A listed message without a cached
// result (one that cannot be read or parsed is analysed on every scan)
// is allowed only when pairing cannot involve it (ppap.Inert); the
// replay analyses each such message before it emits anything, and goes
// back to the stream should one no longer be inert.
const snapshotKey = store.SnapshotPrefix + "ppap"

// snapshotVersion changes whenever what the digest covers, or the
// record's layout, changes (2: the changed messages packed, changedList).
const snapshotVersion = 2

// scanSnapshot is the record under snapshotKey.
type scanSnapshot struct {
	Version int         `json:"v"`
	Digest  string      `json:"digest"`
	Count   int         `json:"count"`
	Changed changedList `json:"changed"`
	// Uncached are the listed messages without a cached result.
	Uncached []model.MessageID `json:"uncached,omitempty"`
}

// changedMessage is a message pairing changed, as the cache holds it
// under changedKey(ID).
type changedMessage struct {
	ID  model.MessageID `json:"id"`
	Ref store.RecordRef `json:"ref"`
}

// changedKey is the cache key of a message as pairing emitted it.
func changedKey(id model.MessageID) string {
	sum := sha256.Sum256([]byte(id))
	return "paired-" + hex.EncodeToString(sum[:])
}

// listingDigest hashes a listing for a snapshot (see snapshotKey): the
// entries as they are listed, then the refs of their cached results.
type listingDigest struct {
	h    hash.Hash
	buf  []byte // a field as it is hashed, reused
	keys [][sha256.Size]byte
	ids  []model.MessageID // of the keys, to name those without a result
	// refs are the refs of the keys' cached results and found whether
	// each has one, as each entry is added when the digest looks in a
	// cache (lookIn); nil otherwise.
	refs  []store.RecordRef
	found []bool
	cache *store.Cache
	ok    bool // every entry so far has a stamp and no error
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
// salted with the pairing settings. The room for them is mapped in at
// once (package prefault): faulted in page by page as the listing came,
// it was 30 ms of a warm start at 100,000 messages.
func newListingDigest(salt string, size int) *listingDigest {
	size = min(size, maxSizeHint) // a count the cache file gives: room grows beyond it
	d := &listingDigest{h: sha256.New(), ok: true,
		keys: make([][sha256.Size]byte, 0, size), ids: make([]model.MessageID, 0, size)}
	prefault.Slice(d.keys)
	prefault.Slice(d.ids)
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
	d.keys = append(d.keys, sum)
	d.ids = append(d.ids, e.ID)
	if d.cache != nil {
		ref, ok := d.cache.StampRef(sum)
		d.refs, d.found = append(d.refs, ref), append(d.found, ok)
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

// sum finishes the digest with the refs of the entries' cached results,
// and returns the IDs of the entries without one; false when a listed
// file has no stamp, or has no cached result and uncachedOK refuses it.
func (d *listingDigest) sum(c *store.Cache, uncachedOK func(model.MessageID) bool) (string, []model.MessageID, bool) {
	if !d.ok {
		return "", nil, false
	}
	var uncached []model.MessageID
	var b [17]byte
	// Refs not looked up as the entries came (lookIn) are looked up here
	// one at a time, not kept: nothing reads them after the sum, and
	// arrays of them were made at the scan's end, where its heap peaks
	// (17 MB at a million messages).
	looked := d.cache == c && len(d.refs) == len(d.keys)
	for i, k := range d.keys {
		var ref store.RecordRef
		var ok bool
		if looked {
			ref, ok = d.refs[i], d.found[i]
		} else {
			ref, ok = c.StampRef(k)
		}
		switch {
		case ok:
			b[0] = 1
			binary.BigEndian.PutUint64(b[1:9], uint64(ref.Off))
			binary.BigEndian.PutUint32(b[9:13], ref.Len)
			binary.BigEndian.PutUint32(b[13:], ref.Written)
		case uncachedOK(d.ids[i]):
			b = [17]byte{}
			uncached = append(uncached, d.ids[i])
		default:
			return "", nil, false
		}
		d.h.Write(b[:])
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(d.keys)))
	d.h.Write(n[:])
	return hex.EncodeToString(d.h.Sum(nil)), uncached, true
}

// loadSnapshot reads the cache's snapshot; false when there is none that
// this mxaudit can read.
func loadSnapshot(c *store.Cache) (scanSnapshot, bool) {
	raw, ok := c.GetRecord(snapshotKey)
	if !ok {
		return scanSnapshot{}, false
	}
	return decodeSnapshot(raw)
}

// decodeSnapshot decodes the record under snapshotKey; false when this
// mxaudit cannot read it.
func decodeSnapshot(raw []byte) (scanSnapshot, bool) {
	var s scanSnapshot
	if json.Unmarshal(raw, &s) != nil || s.Version != snapshotVersion || s.Digest == "" || s.Count < 0 {
		return scanSnapshot{}, false
	}
	return s, true
}

// replacement is what a replay puts in a listed message's place:
// pairing's outcome, the record under changedKey of its ID at ref, or,
// fresh, the message's analysis of this scan (a message without a
// cached result, which pairing leaves as it is). The key is made when
// the record is read, not kept: as a string a message, the keys took
// 15 MB of a warm start at a million messages (190,000 changed).
type replacement struct {
	ref   store.RecordRef
	fresh bool
}

// replacements returns what replaces each of the snapshot's changed
// messages, by ID, once every one is checked to be still where the
// snapshot says and named once; false otherwise.
func (s scanSnapshot) replacements(c *store.Cache) (map[model.MessageID]replacement, bool) {
	out := make(map[model.MessageID]replacement, len(s.Changed))
	for _, ch := range s.Changed {
		if ref, ok := c.Ref(changedKey(ch.ID)); !ok || ref != ch.Ref {
			return nil, false
		}
		if _, dup := out[ch.ID]; dup {
			return nil, false
		}
		out[ch.ID] = replacement{ref: ch.Ref}
	}
	return out, true
}

// listedOnce reports whether every ID of changed (replacements) is listed
// in entries exactly once: one changed ID listed twice leaves unsaid
// which of the two changed, and one not listed is a message gone.
func listedOnce(changed map[model.MessageID]replacement, entries *heldEntries) bool {
	listed := make(map[model.MessageID]bool, len(changed))
	for i := range entries.len() {
		id := entries.id(i)
		if _, ok := changed[id]; ok {
			if listed[id] {
				return false // one ID twice: which one changed?
			}
			listed[id] = true
		}
	}
	return len(listed) == len(changed)
}

// snapshotRecorder records the snapshot of a scan paired through the
// stream. It is the stream's ppap.Results, to hear of pairings not
// remembered (ppap.Forgetter); see is called with every emitted message.
type snapshotRecorder struct {
	ppap.Results
	cache  *store.Cache
	digest *listingDigest

	mu      sync.Mutex // Forgot comes from the pairing goroutines
	forgot  bool
	failed  bool
	changed []model.MessageID
	inert   map[model.MessageID]bool // emitted and ppap.Inert
}

func newSnapshotRecorder(c *store.Cache, salt string) *snapshotRecorder {
	return &snapshotRecorder{Results: c, cache: c, digest: newListingDigest(salt, 0), inert: map[model.MessageID]bool{}}
}

// Forgot implements ppap.Forgetter.
func (r *snapshotRecorder) Forgot() {
	r.mu.Lock()
	r.forgot = true
	r.mu.Unlock()
}

// see caches m as emitted when pairing changed it.
func (r *snapshotRecorder) see(m model.Message) {
	if ppap.Inert(&m) {
		r.inert[m.ID] = true
	}
	if r.failed || !ppap.ChangedByPairing(&m) {
		return
	}
	if m.Materialize() != nil || r.cache.Put(changedKey(m.ID), m) != nil {
		r.failed = true
		return
	}
	r.changed = append(r.changed, m.ID)
}

// save writes the snapshot of the scan just finished, when it may be
// replayed, and returns its digest; false when it wrote none.
func (r *snapshotRecorder) save() (string, bool) {
	r.mu.Lock()
	forgot := r.forgot
	r.mu.Unlock()
	if forgot || r.failed || r.cache.Stats().ReadOnly {
		return "", false // a read-only cache writes no snapshot (PutRecord says nil)
	}
	digest, uncached, ok := r.digest.sum(r.cache, func(id model.MessageID) bool { return r.inert[id] })
	if !ok {
		return "", false
	}
	s := scanSnapshot{Version: snapshotVersion, Digest: digest, Count: len(r.digest.keys), Uncached: uncached}
	for _, id := range r.changed {
		ref, ok := r.cache.Ref(changedKey(id))
		if !ok {
			return "", false
		}
		s.Changed = append(s.Changed, changedMessage{ID: id, Ref: ref})
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", false
	}
	// A cache that cannot write only costs time.
	return digest, r.cache.PutRecord(snapshotKey, b) == nil
}
