package app

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"time"

	"mxaudit/analysis/ppap"
	"mxaudit/model/store"
)

// marksKey holds the marks (ppap.Mark) of the messages a snapshot's scan
// changed by pairing, which a later scan reads to replay the snapshot
// with new mail listed after it (replayable). They are a record of their
// own, named by the snapshot with its SHA-256 (scanSnapshot.MarksSum):
// a replay of an unchanged listing, the usual warm start, never reads
// them, and a marks record of another scan is never taken for this one.
const marksKey = store.SnapshotPrefix + "ppap-marks"

// marksVersion changes with the record's layout.
const marksVersion = 1

// marksRecord is the record under marksKey: each mark packed one after
// the other (the address's and the domain's lengths and bytes, then 0
// for no date, or 1, the Unix seconds as a varint and the nanoseconds),
// spelled as JSON spells bytes.
type marksRecord struct {
	Version int    `json:"v"`
	Packed  []byte `json:"marks"`
}

// appendMark packs mk onto b.
func appendMark(b []byte, mk ppap.Mark) []byte {
	b = appendField(b, mk.Addr)
	b = appendField(b, mk.Domain)
	if mk.Date.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, mk.Date.Unix())
	return binary.AppendUvarint(b, uint64(mk.Date.Nanosecond()))
}

// unpackMarks unpacks what appendMark packed; false when it does not
// unpack whole.
func unpackMarks(b []byte) ([]ppap.Mark, bool) {
	var out []ppap.Mark
	field := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, true
	}
	for len(b) > 0 {
		var mk ppap.Mark
		var ok bool
		if mk.Addr, ok = field(); !ok {
			return nil, false
		}
		if mk.Domain, ok = field(); !ok || len(b) == 0 {
			return nil, false
		}
		dated := b[0]
		b = b[1:]
		switch dated {
		case 0:
		case 1:
			sec, w := binary.Varint(b)
			if w <= 0 {
				return nil, false
			}
			b = b[w:]
			nsec, w := binary.Uvarint(b)
			if w <= 0 || nsec >= uint64(time.Second) || sec == math.MinInt64 {
				return nil, false
			}
			b = b[w:]
			mk.Date = time.Unix(sec, int64(nsec)).UTC()
			if mk.Date.IsZero() {
				return nil, false // written undated
			}
		default:
			return nil, false
		}
		out = append(out, mk)
	}
	return out, true
}

// saveMarks writes the packed marks under marksKey and returns the SHA-256
// of the record as written, for the snapshot to name it; false when the
// cache did not take it (the snapshot is then one no new mail replays).
func saveMarks(c *store.Cache, packed []byte) (string, bool) {
	raw, err := json.Marshal(marksRecord{Version: marksVersion, Packed: packed})
	if err != nil || c.PutRecord(marksKey, raw) != nil {
		return "", false
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), true
}

// loadMarks reads the marks the snapshot names by sum and indexes them
// for a pairing window; false when the cache holds no such record.
func loadMarks(c *store.Cache, sum string, window time.Duration) (*ppap.Marks, bool) {
	raw, ok := c.GetRecord(marksKey)
	if !ok || sum == "" {
		return nil, false
	}
	if got := sha256.Sum256(raw); hex.EncodeToString(got[:]) != sum {
		return nil, false
	}
	var rec marksRecord
	if json.Unmarshal(raw, &rec) != nil || rec.Version != marksVersion {
		return nil, false
	}
	marks, ok := unpackMarks(rec.Packed)
	if !ok {
		return nil, false
	}
	return ppap.NewMarks(marks, window), true
}
