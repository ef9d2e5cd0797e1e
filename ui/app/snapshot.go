package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/model"
	"mxaudit/model/store"
)

// A scan snapshot is the PPAP outcome of one whole scan of a file
// source, kept in the analysis cache: which messages pairing changed,
// and where the cache holds each one as it was emitted. A later scan
// whose listing, cached results and pairing settings are all the same
// (the same digest) replays it: it emits the cached results, swapping
// in the changed messages, and pairs nothing — no sender index, no
// held messages, no remembered pairing to look up and apply. So does a
// scan whose listing is the snapshot's followed by new mail that pairing
// would leave as it came and that changes no message of it: the replay
// then adds the new mail (snapshotdelta.go).
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
// is allowed only when pairing cannot involve it but by its place and
// date (ppap.Inert), which the snapshot keeps (pairingDate); the replay
// analyses each such message before it emits anything, and goes back to
// the stream should one no longer be inert, or be dated otherwise.
const snapshotKey = store.SnapshotPrefix + "ppap"

// snapshotVersion changes whenever what the digest covers, or the
// record's layout, changes (2: the changed messages packed, changedList;
// 3: the refs hashed apart, listingDigest.refsHash).
const snapshotVersion = 3

// scanSnapshot is the record under snapshotKey.
type scanSnapshot struct {
	Version int         `json:"v"`
	Digest  string      `json:"digest"`
	Count   int         `json:"count"`
	Changed changedList `json:"changed,omitempty"` // last as marshalSnapshot writes it
	// Uncached are the listed messages without a cached result, and
	// UncachedDates the date pairing read of each (pairingDate).
	Uncached      []model.MessageID `json:"uncached,omitempty"`
	UncachedDates []string          `json:"uncached_dates,omitempty"`
	// MarksSum is the SHA-256 of the record under marksKey that holds
	// the marks of the changed messages; empty when none was kept, and
	// no listing but this one replays the snapshot.
	MarksSum string `json:"marks,omitempty"`
	// Table is the SHA-256 of the record under tableKey that holds the
	// table of the listing: empty when none was kept, and no listing
	// with messages taken out replays the snapshot.
	Table string `json:"table,omitempty"`
	// rebased is a snapshot replayRemoved made of this listing: its
	// digest is the listing's, and it is not matched against a table.
	rebased bool
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

// pairingDate is what pairing reads of the date of an inert message
// (ppap.Inert), which closes the windows of the ZIP mails waiting before
// it: the instant, "" for none. A snapshot keeps it for each message it
// names uncached, which a replay analyses again, and replays only while
// it is the same: a message unreadable at the snapshot's scan (an error,
// undated) and dated once read would pair the listing otherwise (the
// security review).
func pairingDate(m *model.Message) string {
	if m.Date.IsZero() {
		return ""
	}
	return m.Date.UTC().Format(time.RFC3339Nano)
}

// inertAsBefore reports whether m, a message a replay analysed anew, is
// still nothing to pairing (ppap.Inert) and dated as pairing saw it
// (date, its pairingDate then): what a snapshot's uncached messages,
// and the new ones a busy day's check could not cache, must stay.
func inertAsBefore(m *model.Message, date string) bool {
	return ppap.Inert(m) && pairingDate(m) == date
}

// uncachedDates returns the pairing dates of the snapshot's uncached
// messages by ID; false when it does not give one for each (a snapshot
// recorded before they were kept) or names one twice.
func (s scanSnapshot) uncachedDates() (map[model.MessageID]string, bool) {
	if len(s.UncachedDates) != len(s.Uncached) {
		return nil, false
	}
	out := make(map[model.MessageID]string, len(s.Uncached))
	for i, id := range s.Uncached {
		if _, twice := out[id]; twice {
			return nil, false
		}
		out[id] = s.UncachedDates[i]
	}
	return out, true
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
	// listed marks, while a Repair goes through the listing
	// (pairRepair), a changed message it found listed.
	listed bool
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
// Its digest is streamed, each entry added as the scan settles it
// (scan.Options.Settled), with its result's ref as the scan left it:
// keeping every entry's key to look the refs up at the end took 48 MB
// at a million messages after a delivery. It keeps the entries' IDs
// only for a console, which keeps its list of the scan (keepIDs).
type snapshotRecorder struct {
	ppap.Results
	cache  *store.Cache
	digest *listingDigest

	mu      sync.Mutex // Forgot comes from the pairing goroutines
	forgot  bool
	twice   bool // a file listed twice (scan.Options.ListedTwice)
	failed  bool
	changed []model.MessageID
	// marks are the changed messages' marks, for a scan that lists new
	// mail after them (replayable), and tail the pairing stream's state
	// once the listing was written, for one whose new mail may pair
	// (resumeAppended); nil when the stream had none.
	marks *ppap.Marks
	tail  *ppap.Tail
	// infl is what the stream's outcome depended on, for the table
	// (snapshottable.go); nil when it tracked none.
	infl  *ppap.Influence
	inert map[model.MessageID]string // emitted and ppap.Inert: their pairingDate
	// encoded says the scan's messages go out as JSON (scan.Options.
	// Encoded): see then gives those it caches encoded.
	encoded bool
}

func newSnapshotRecorder(c *store.Cache, pc ppap.Config, keepIDs, encoded bool) *snapshotRecorder {
	d := newStreamedDigest(pc.ResultsSalt, c)
	d.keepIDs, d.keepTable = keepIDs, true
	return &snapshotRecorder{Results: c, cache: c, digest: d, marks: ppap.NewMarks(pc.Window), inert: map[model.MessageID]string{}, encoded: encoded}
}

// listedTwice hears that the listing held a file twice: which of its
// two results pairing read, the snapshot could not say.
func (r *snapshotRecorder) listedTwice() {
	r.mu.Lock()
	r.twice = true
	r.mu.Unlock()
}

// Forgot implements ppap.Forgetter.
func (r *snapshotRecorder) Forgot() {
	r.mu.Lock()
	r.forgot = true
	r.mu.Unlock()
}

// see caches m as emitted when pairing changed it, and returns the
// message to emit: m, or, for a scan whose output is JSON (encoded),
// what it cached, encoded as cached (store.Encode), so that the output
// writes those bytes out rather than encode the message a second time.
func (r *snapshotRecorder) see(m model.Message) model.Message {
	if ppap.Inert(&m) {
		r.inert[m.ID] = pairingDate(&m)
	}
	if r.failed || !ppap.ChangedByPairing(&m) {
		return m
	}
	whole := m
	if whole.Materialize() != nil {
		r.failed = true
		return m
	}
	enc, err := store.Encode(whole)
	if err != nil || r.cache.PutEncoded(changedKey(m.ID), enc) != nil {
		r.failed = true
		return m
	}
	r.changed = append(r.changed, m.ID)
	r.marks.Add(&whole)
	if r.encoded {
		return enc.Message()
	}
	return m
}

// save writes the snapshot of the scan just finished, when it may be
// replayed, and returns its digest; false when it wrote none.
func (r *snapshotRecorder) save() (string, bool) {
	r.mu.Lock()
	unsure := r.forgot || r.twice
	r.mu.Unlock()
	if unsure || r.failed || r.cache.Stats().ReadOnly {
		return "", false // a read-only cache writes no snapshot (PutRecord says nil)
	}
	digest, uncached, ok := r.digest.sum(r.cache, func(id model.MessageID) bool {
		_, inert := r.inert[id]
		return inert
	})
	if !ok {
		return "", false
	}
	s := scanSnapshot{Version: snapshotVersion, Digest: digest, Count: r.digest.n, Uncached: uncached}
	for _, id := range uncached {
		s.UncachedDates = append(s.UncachedDates, r.inert[id])
	}
	for _, id := range r.changed {
		ref, ok := r.cache.Ref(changedKey(id))
		if !ok {
			return "", false
		}
		s.Changed = append(s.Changed, changedMessage{ID: id, Ref: ref})
	}
	// A tail is kept only where the stream took every entry listed, in
	// order: its places are then the listing's (a skipped file would
	// shift them).
	tail := r.tail
	if tail != nil && tail.Len() != r.digest.n {
		tail = nil
	}
	// Without its marks the snapshot still replays an unchanged listing,
	// and without its table one with no message taken out. The stream's
	// Influence is by its places, which are the listing's where it took
	// every entry, as for the tail.
	s.MarksSum, _ = saveMarks(r.cache, r.marks, tail)
	if r.infl != nil && r.infl.Len() == r.digest.n {
		s.Table, _ = saveTable(r.cache, r.digest.table, r.infl)
	}
	b, err := marshalSnapshot(s)
	if err != nil {
		return "", false
	}
	// A cache that cannot write only costs time.
	return digest, r.cache.PutRecord(snapshotKey, b) == nil
}
