package app

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"sync"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
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

// snapshotVersion changes whenever what the digest covers changes.
const snapshotVersion = 1

// scanSnapshot is the record under snapshotKey.
type scanSnapshot struct {
	Version int              `json:"v"`
	Digest  string           `json:"digest"`
	Count   int              `json:"count"`
	Changed []changedMessage `json:"changed"`
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
	keys [][sha256.Size]byte
	ids  []model.MessageID // of the keys, to name those without a result
	ok   bool              // every entry so far has a stamp and no error
}

func newListingDigest(salt string, size int) *listingDigest {
	d := &listingDigest{h: sha256.New(), ok: true,
		keys: make([][sha256.Size]byte, 0, size), ids: make([]model.MessageID, 0, size)}
	d.field([]byte{snapshotVersion})
	d.field([]byte(salt))
	return d
}

// field writes b with its length, so that no two listings hash alike.
func (d *listingDigest) field(b []byte) {
	var n [binary.MaxVarintLen64]byte
	d.h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	d.h.Write(b)
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
	var received [8]byte
	if !e.Received.IsZero() {
		binary.BigEndian.PutUint64(received[:], uint64(e.Received.UnixNano()))
	}
	d.field([]byte(e.ID))
	d.field(sum[:])
	d.field(received[:])
	d.field([]byte(e.Warning))
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
	for i, k := range d.keys {
		ref, ok := c.Ref(scan.StampKey(k))
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
	var s scanSnapshot
	if json.Unmarshal(raw, &s) != nil || s.Version != snapshotVersion || s.Digest == "" {
		return scanSnapshot{}, false
	}
	return s, true
}

// replacements are the cache keys of the snapshot's changed messages by
// ID, once every one is checked to be still where the snapshot says and
// every such ID to be listed exactly once; false otherwise.
func (s scanSnapshot) replacements(c *store.Cache, entries []mailsrc.Entry) (map[model.MessageID]string, bool) {
	out := make(map[model.MessageID]string, len(s.Changed))
	for _, ch := range s.Changed {
		key := changedKey(ch.ID)
		if ref, ok := c.Ref(key); !ok || ref != ch.Ref {
			return nil, false
		}
		if _, dup := out[ch.ID]; dup {
			return nil, false
		}
		out[ch.ID] = key
	}
	listed := make(map[model.MessageID]bool, len(out))
	for _, e := range entries {
		if _, ok := out[e.ID]; ok {
			if listed[e.ID] {
				return nil, false // one ID twice: which one changed?
			}
			listed[e.ID] = true
		}
	}
	return out, len(listed) == len(out)
}

// prelist lists src into memory, up to limit entries; false when the
// listing failed or has more.
func prelist(ctx context.Context, src mailsrc.Source, limit int) ([]mailsrc.Entry, bool) {
	errMore := errors.New("more entries than the snapshot")
	out := make([]mailsrc.Entry, 0, limit)
	err := src.List(ctx, func(e mailsrc.Entry) error {
		if len(out) == limit {
			return errMore
		}
		out = append(out, e)
		return nil
	})
	return out, err == nil
}

// listedSource is a source whose listing was already read.
type listedSource struct {
	mailsrc.Source
	entries []mailsrc.Entry
}

func (s listedSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	for _, e := range s.entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// recordingSource passes its source's listing on and feeds it to a
// snapshot recorder.
type recordingSource struct {
	mailsrc.Source
	rec *snapshotRecorder
}

func (s recordingSource) List(ctx context.Context, fn func(mailsrc.Entry) error) error {
	return s.Source.List(ctx, func(e mailsrc.Entry) error {
		s.rec.digest.add(e)
		return fn(e)
	})
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
// replayed.
func (r *snapshotRecorder) save() {
	r.mu.Lock()
	forgot := r.forgot
	r.mu.Unlock()
	if forgot || r.failed {
		return
	}
	digest, uncached, ok := r.digest.sum(r.cache, func(id model.MessageID) bool { return r.inert[id] })
	if !ok {
		return
	}
	s := scanSnapshot{Version: snapshotVersion, Digest: digest, Count: len(r.digest.keys), Uncached: uncached}
	for _, id := range r.changed {
		ref, ok := r.cache.Ref(changedKey(id))
		if !ok {
			return
		}
		s.Changed = append(s.Changed, changedMessage{ID: id, Ref: ref})
	}
	b, err := json.Marshal(s)
	if err != nil {
		return
	}
	_ = r.cache.PutRecord(snapshotKey, b) // a cache that cannot write only costs time
}

// pairedScan is the scan with PPAP pairing (see Scan): the replay of the
// cache's snapshot when the listing and its cached results are
// unchanged, else the pairing stream, recording a snapshot when a
// writable cache is there to keep it.
func (a *App) pairedScan(ctx context.Context, cache *store.Cache, pc ppap.Config, opts scan.Options, emit func(model.Message) error) error {
	var src mailsrc.Source = a.src
	var rec *snapshotRecorder
	if cache != nil && !opts.CacheByID {
		if snap, ok := loadSnapshot(cache); ok {
			if entries, ok := prelist(ctx, a.src, snap.Count); ok {
				if repl, ok := a.replayable(ctx, cache, pc, snap, entries); ok {
					a.replayed.Store(true)
					return replay(ctx, a, cache, opts, listedSource{a.src, entries}, repl, emit)
				}
				src = listedSource{a.src, entries} // listed already: not again
			}
		}
		rec = newSnapshotRecorder(cache, pc.ResultsSalt)
		pc.Results = rec
		src = recordingSource{src, rec}
	}
	a.replayed.Store(false)
	// Pairings read a sender's recent mails again for each of its ZIP
	// mails: remember the last of them — 8 MiB on IMAP, where each read is
	// a fetch; 1 MiB for files, which the page cache keeps anyway (the
	// larger memo only raised the peak memory).
	memo := int64(1 << 20)
	if IsIMAP(a.src.Name()) {
		memo = 8 << 20
	}
	out := emit
	if rec != nil {
		out = func(m model.Message) error { rec.see(m); return emit(m) }
	}
	pairing := ppap.NewStream(ctx, pc, ppap.MemoOpener(a.src.Open, memo), out)
	runErr := scan.Run(ctx, src, a.analyzer, opts, pairing.Write)
	pairErr := pairing.Close() // emits what is still held, even after a failure
	if errors.Is(runErr, pairErr) {
		pairErr = nil // emit's failure, already in runErr
	}
	if runErr == nil && pairErr == nil && rec != nil {
		rec.save()
	}
	return errors.Join(runErr, pairErr)
}

// replayable reports whether snap is the outcome of entries as the cache
// holds them now, and returns what the replay swaps: the changed
// messages' keys, and "" for the uncached ones, which it checks again.
func (a *App) replayable(ctx context.Context, cache *store.Cache, pc ppap.Config, snap scanSnapshot, entries []mailsrc.Entry) (map[model.MessageID]string, bool) {
	if a.opts.NoSnapshot || len(entries) != snap.Count {
		return nil, false
	}
	d := newListingDigest(pc.ResultsSalt, len(entries))
	for _, e := range entries {
		d.add(e)
	}
	uncached := map[model.MessageID]bool{}
	for _, id := range snap.Uncached {
		uncached[id] = true
	}
	digest, _, ok := d.sum(cache, func(id model.MessageID) bool { return uncached[id] })
	if !ok || digest != snap.Digest {
		return nil, false
	}
	repl, ok := snap.replacements(cache, entries)
	if !ok {
		return nil, false
	}
	// Messages analysed afresh on every scan: pairing must still have
	// nothing to do with them, or the snapshot says nothing of this scan.
	for _, e := range entries {
		if !uncached[e.ID] {
			continue
		}
		if _, seen := repl[e.ID]; seen || !a.stillInert(ctx, e.ID) {
			return nil, false // changed, listed twice, or no longer inert
		}
		repl[e.ID] = ""
	}
	return repl, true
}

// stillInert analyses one message afresh and reports whether pairing
// leaves it alone (ppap.Inert).
func (a *App) stillInert(ctx context.Context, id model.MessageID) bool {
	rc, err := a.src.Open(ctx, id)
	if err != nil {
		// What the scan will print for it too: a message without a sender.
		return true
	}
	defer rc.Close()
	m := a.analyzer.Analyze(ctx, id, rc)
	return ppap.Inert(&m)
}

// errReplay is a changed message the cache no longer gives back as the
// snapshot recorded it (damaged since the scan began), or an uncached
// message that pairing would now involve (its file changed since the
// check): the scan stops rather than print what pairing may have changed.
var errReplay = errors.New("the analysis cache or a message changed during the scan; scan again")

// replay emits the cached results of src's entries, each message pairing
// changed swapped for its cached outcome.
func replay(ctx context.Context, a *App, cache *store.Cache, opts scan.Options, src mailsrc.Source, repl map[model.MessageID]string, emit func(model.Message) error) error {
	get := cache.Get
	if opts.Encoded {
		get = cache.GetEncoded
	}
	return scan.Run(ctx, src, a.analyzer, opts, func(m model.Message) error {
		key, ok := repl[m.ID]
		switch {
		case !ok:
		case key == "": // analysed afresh: still nothing for pairing?
			if !ppap.Inert(&m) {
				return errReplay
			}
		default:
			r, ok := get(key)
			if !ok || r.ID != m.ID {
				return errReplay
			}
			m = r
		}
		return emit(m)
	})
}

// ScanReplayed reports whether the last scan replayed the cache's
// snapshot of an unchanged source instead of pairing (for tests and
// progress lines).
func (a *App) ScanReplayed() bool { return a.replayed.Load() }
