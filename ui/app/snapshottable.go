package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"slices"

	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model/store"
)

// tableKey holds the table of a snapshot's listing: a key for each entry
// and the pairing stream's Influence (ppap.Influence), which a later scan
// reads when its listing is not the snapshot's: a release or a delete
// takes a message out of the quarantine, and the listing's digest, a
// chain over every entry, then matches nothing a snapshot recorded
// (snapshotremoved.go). Like the marks, it is a record of its own, named
// by the snapshot with its SHA-256 (scanSnapshot.Table): a replay of an
// unchanged listing never reads it.
const tableKey = store.SnapshotPrefix + "ppap-table"

// listingTable is the table of a listing: each entry's key (tableKeyOf),
// in listing order, and what the listing's pairing depended on.
type listingTable struct {
	keys []uint64
	infl *ppap.Influence
}

// tableRecord is the record under tableKey: the keys, 8 bytes each,
// little-endian, and the Influence as ppap.Influence.MarshalBinary packs
// it, spelled as JSON spells bytes.
type tableRecord struct {
	Keys      []byte `json:"keys"`
	Influence []byte `json:"influence"`
}

// entryKeyer makes the keys of a listing's entries (key), reusing its
// buffer: a million entries are keyed at every scan that records a
// snapshot.
type entryKeyer struct{ buf []byte }

// key is the key of an entry of a listing: the first 8 bytes of the
// SHA-256 of what the digest hashes of it (listingDigest.add: its ID,
// stamp sum, delivery time and warning) and of its cached result's ref
// (hashRef; zeros for none). Two entries with one key are, but for a
// chance of 2^-64 a pair, the same file with the same cached result: a
// key is matched only against the keys of one listing, made by mxaudit
// from the source's own names and stamps, never against a key a sender
// chose.
func (k *entryKeyer) key(id string, sum *[sha256.Size]byte, received []byte, warning string, ref store.RecordRef, ok bool) uint64 {
	b := appendField(k.buf[:0], id)
	b = appendField(b, sum[:])
	b = appendField(b, received)
	b = appendField(b, warning)
	var r [17]byte
	putRef(&r, ref, ok)
	b = append(b, r[:]...)
	k.buf = b
	h := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(h[:8])
}

// entryKey is the key of e, listed, whose cached result c holds (or
// not), as a scan would add it to its listing's digest.
func (k *entryKeyer) entryKey(e mailsrc.Entry, c *store.Cache) uint64 {
	sum := scan.StampSum(e)
	ref, ok := c.StampRef(sum)
	received := receivedField(e)
	return k.key(string(e.ID), &sum, received[:], e.Warning, ref, ok)
}

// recordOf is the record under tableKey of t, as json.Marshal spells a
// tableRecord, written once into a buffer of its size: at a million
// messages the record is 17 MB, and json.Marshal's buffer, doubling as
// it grew, with the packed keys beside it, was the peak of a start after
// a removal (34 MiB over the heap before it).
func (t *listingTable) recordOf() ([]byte, error) {
	infl, err := t.infl.MarshalBinary()
	if err != nil {
		return nil, err
	}
	const open, mid, end = `{"keys":"`, `","influence":"`, `"}`
	size := len(open) + base64.StdEncoding.EncodedLen(8*len(t.keys)) + len(mid) + base64.StdEncoding.EncodedLen(len(infl)) + len(end)
	out := bytes.NewBuffer(make([]byte, 0, size))
	out.WriteString(open)
	enc := base64.NewEncoder(base64.StdEncoding, out)
	var word [8]byte
	for _, k := range t.keys {
		binary.LittleEndian.PutUint64(word[:], k)
		enc.Write(word[:])
	}
	enc.Close()
	out.WriteString(mid)
	enc = base64.NewEncoder(base64.StdEncoding, out)
	enc.Write(infl)
	enc.Close()
	out.WriteString(end)
	return out.Bytes(), nil
}

// putTable writes raw, a record recordOf made, under tableKey, and
// returns its SHA-256, for the snapshot to name it.
func putTable(c *store.Cache, raw []byte) (string, bool) { return putNamed(c, tableKey, raw) }

// saveTable writes the table of a listing of len(keys) entries, whose
// pairing's Influence infl is, and returns its SHA-256; false when it
// wrote none (infl is not of that listing, or the cache did not take
// it: the snapshot then replays no listing with messages taken out).
func saveTable(c *store.Cache, keys []uint64, infl *ppap.Influence) (string, bool) {
	if infl == nil || infl.Len() != len(keys) {
		return "", false
	}
	raw, err := (&listingTable{keys: keys, infl: infl}).recordOf()
	if err != nil || len(raw) > store.MaxCacheRecordLen {
		return "", false
	}
	return putTable(c, raw)
}

// loadTable reads the table the snapshot names by sum, of a listing of
// count entries; false when the cache holds no such record.
func loadTable(c *store.Cache, sum string, count int) (*listingTable, bool) {
	raw, ok := getNamed(c, tableKey, sum)
	if !ok {
		return nil, false
	}
	var rec tableRecord
	infl := &ppap.Influence{}
	if json.Unmarshal(raw, &rec) != nil || infl.UnmarshalBinary(rec.Influence) != nil ||
		len(rec.Keys) != 8*count || infl.Len() != count {
		return nil, false
	}
	t := &listingTable{keys: make([]uint64, count), infl: infl}
	for i := range t.keys {
		t.keys[i] = binary.LittleEndian.Uint64(rec.Keys[8*i:])
	}
	return t, true
}

// without is the table of the listing with the entries at removed
// (ascending places) taken out; false when one of them has influence.
func (t *listingTable) without(removed []int) (*listingTable, bool) {
	infl, err := t.infl.Without(removed)
	if err != nil {
		return nil, false
	}
	return &listingTable{keys: keysWithout(t.keys, removed), infl: infl}, true
}

// keysWithout is keys without those at removed (ascending places).
func keysWithout(keys []uint64, removed []int) []uint64 {
	out := make([]uint64, 0, len(keys)-len(removed))
	for i, k := range keys {
		if _, gone := slices.BinarySearch(removed, i); !gone {
			out = append(out, k)
		}
	}
	return out
}
