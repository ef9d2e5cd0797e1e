package app

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/model/store"
)

// marksKey holds the marks (ppap.Marks) of the messages a snapshot's
// scan changed by pairing, which a later scan reads to replay the
// snapshot with new mail listed after it (replayable), and the tail of
// its pairing stream (ppap.Tail), from which such a scan pairs the new
// mail the marks cannot leave as it came (resumeAppended). They are a record
// of their own, named by the snapshot with its SHA-256
// (scanSnapshot.MarksSum): a replay of an unchanged listing, the usual
// warm start, never reads them, and a marks record of another scan is
// never taken for this one.
const marksKey = store.SnapshotPrefix + "ppap-marks"

// marksRecord is the record under marksKey: the marks as
// ppap.Marks.MarshalBinary packs them, and the pairing stream's tail as
// ppap.Tail.MarshalBinary packs it (none when the stream had none),
// spelled as JSON spells bytes.
type marksRecord struct {
	Packed []byte `json:"marks"`
	Tail   []byte `json:"tail,omitempty"`
}

// saveMarks writes marks and tail (nil for none) under marksKey and
// returns the SHA-256 of the record as written, for the snapshot to name
// it; false when the cache did not take it (the snapshot is then one no
// new mail replays).
func saveMarks(c *store.Cache, marks *ppap.Marks, tail *ppap.Tail) (string, bool) {
	raw, err := marksRecordOf(marks, tail)
	if err != nil {
		return "", false
	}
	return putMarks(c, raw)
}

// marksRecordOf is the record under marksKey of marks and tail (nil for
// none).
func marksRecordOf(marks *ppap.Marks, tail *ppap.Tail) ([]byte, error) {
	packed, err := marks.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var packedTail []byte
	if tail != nil {
		if packedTail, err = tail.MarshalBinary(); err != nil {
			return nil, err
		}
	}
	return json.Marshal(marksRecord{Packed: packed, Tail: packedTail})
}

// putMarks writes raw, a record marksRecordOf made, under marksKey, and
// returns its SHA-256 (see saveMarks).
func putMarks(c *store.Cache, raw []byte) (string, bool) { return putNamed(c, marksKey, raw) }

// putNamed writes raw under key, a record a snapshot names by its
// SHA-256 (the marks, the table), and returns that sum, spelled in hex;
// false when the cache did not take it.
func putNamed(c *store.Cache, key string, raw []byte) (string, bool) {
	if c.PutRecord(key, raw) != nil {
		return "", false
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), true
}

// getNamed returns the record under key when it is the one a snapshot
// names by sum (putNamed); false otherwise: none, or another scan's.
func getNamed(c *store.Cache, key, sum string) ([]byte, bool) {
	raw, ok := c.GetRecord(key)
	if !ok || sum == "" {
		return nil, false
	}
	if got := sha256.Sum256(raw); hex.EncodeToString(got[:]) != sum {
		return nil, false
	}
	return raw, true
}

// loadMarks reads the marks the snapshot names by sum, for a pairing
// window, and the tail of its pairing stream (nil when it kept none, or
// it does not unpack: the new mail that may pair then pairs the whole
// listing again); false when the cache holds no such record, or its
// marks are for another window.
func loadMarks(c *store.Cache, sum string, window time.Duration) (*ppap.Marks, *ppap.Tail, bool) {
	raw, ok := getNamed(c, marksKey, sum)
	if !ok {
		return nil, nil, false
	}
	var rec marksRecord
	marks := &ppap.Marks{}
	if json.Unmarshal(raw, &rec) != nil || marks.UnmarshalBinary(rec.Packed) != nil ||
		marks.Window() != ppap.NewMarks(window).Window() {
		return nil, nil, false
	}
	tail := &ppap.Tail{}
	if rec.Tail == nil || tail.UnmarshalBinary(rec.Tail) != nil {
		tail = nil
	}
	return marks, tail, true
}
