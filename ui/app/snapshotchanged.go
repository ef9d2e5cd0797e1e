package app

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"

	"mxaudit/model"
	"mxaudit/model/store"
)

// changedList is a snapshot's changed messages as its record holds them:
// each message's ID and ref packed one after the other (the ID's length,
// the ID, the ref's place, length and write time, as uvarints), spelled
// as JSON spells bytes, one base64 string. As a JSON object each, the
// 19,000 changed messages of a 100,000-message quarantine took 40 ms to
// decode (1.8 MB), on a warm start's way to its first rows.
type changedList []changedMessage

// MarshalJSON packs the list.
func (l changedList) MarshalJSON() ([]byte, error) {
	n, err := l.packedLen()
	if err != nil {
		return nil, err
	}
	return json.Marshal(l.appendPacked(make([]byte, 0, n)))
}

// packedLen is the length of the list packed; an error for a list that
// does not pack.
func (l changedList) packedLen() (int, error) {
	n := 0
	for _, c := range l {
		if c.Ref.Off < 0 {
			return 0, errors.New("snapshot: a changed message's ref is negative")
		}
		n += uvarintLen(uint64(len(c.ID))) + len(c.ID) + uvarintLen(uint64(c.Ref.Off)) + uvarintLen(uint64(c.Ref.Len)) + uvarintLen(uint64(c.Ref.Written))
	}
	return n, nil
}

// appendPacked appends the list packed to b; packedLen checks it packs.
func (l changedList) appendPacked(b []byte) []byte {
	for _, c := range l {
		b = appendPackedOne(b, c)
	}
	return b
}

// appendPackedOne appends c packed to b.
func appendPackedOne(b []byte, c changedMessage) []byte {
	b = binary.AppendUvarint(b, uint64(len(c.ID)))
	b = append(b, c.ID...)
	b = binary.AppendUvarint(b, uint64(c.Ref.Off))
	b = binary.AppendUvarint(b, uint64(c.Ref.Len))
	return binary.AppendUvarint(b, uint64(c.Ref.Written))
}

// uvarintLen is the length of v as binary.AppendUvarint appends it.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// snapshotRecordLen is the length of s as marshalSnapshot spells it.
func snapshotRecordLen(s scanSnapshot) (int, error) {
	n, err := s.Changed.packedLen()
	if err != nil {
		return 0, err
	}
	s.Changed = nil
	head, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	return len(head) - 1 + len(changedKeyJSON) + base64.StdEncoding.EncodedLen(n) + 2, nil
}

// changedKeyJSON opens the list of changed messages after the rest of a
// snapshot's record (marshalSnapshot).
const changedKeyJSON = `,"changed":"`

// marshalSnapshot spells s as JSON, as json.Marshal would but for the
// order of its fields: the list of changed messages last, packed a
// message at a time and base64-encoded straight into the record, which
// is made its size at once. Through encoding/json the list of a
// million-message quarantine (190,000 messages: 13 MB packed, 18 MB
// spelled) was copied five times over, 90 MB allocated at once, which
// took a scan that recorded a snapshot of the whole listing before its
// replay (recordExtended) from 243 to 300 MiB.
func marshalSnapshot(s scanSnapshot) ([]byte, error) {
	n, err := s.Changed.packedLen()
	if err != nil {
		return nil, err
	}
	list := s.Changed
	s.Changed = nil // omitted: written after the rest
	head, err := json.Marshal(s)
	if err != nil || len(head) < 2 || head[len(head)-1] != '}' {
		return nil, errors.New("snapshot: the record does not spell as an object")
	}
	enc := base64.StdEncoding // as encoding/json spells bytes
	w := &appendWriter{b: make([]byte, 0, len(head)-1+len(changedKeyJSON)+enc.EncodedLen(n)+2)}
	w.b = append(append(w.b, head[:len(head)-1]...), changedKeyJSON...)
	b64 := base64.NewEncoder(enc, w)
	var one []byte
	for _, c := range list {
		one = appendPackedOne(one[:0], c)
		b64.Write(one) // into memory: never fails
	}
	b64.Close()
	return append(w.b, '"', '}'), nil
}

// appendWriter is an io.Writer that appends to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// errChangedList is a packed list that does not unpack.
var errChangedList = errors.New("snapshot: the list of changed messages does not unpack")

// UnmarshalJSON unpacks the list. The IDs are slices of one string.
func (l *changedList) UnmarshalJSON(data []byte) error {
	var packed []byte
	if err := json.Unmarshal(data, &packed); err != nil {
		return err
	}
	all := string(packed)
	out := make(changedList, 0, countPacked(packed))
	for at := 0; at < len(packed); {
		idFrom, idTo, ref, next, ok := unpackOne(packed, at)
		if !ok {
			return errChangedList
		}
		out, at = append(out, changedMessage{ID: model.MessageID(all[idFrom:idTo]), Ref: ref}), next
	}
	*l = out
	return nil
}

// unpackOne reads the message packed at at: where its ID's bytes are in
// packed, its ref, and where the next one starts; false when it is cut
// short or out of range.
func unpackOne(packed []byte, at int) (idFrom, idTo int, ref store.RecordRef, next int, ok bool) {
	idLen, w := binary.Uvarint(packed[at:])
	if w <= 0 || idLen > uint64(len(packed)-at-w) {
		return 0, 0, ref, 0, false
	}
	idFrom, idTo = at+w, at+w+int(idLen)
	at = idTo
	var v [3]uint64 // place, length, write time
	for i := range v {
		if v[i], w = binary.Uvarint(packed[at:]); w <= 0 {
			return 0, 0, ref, 0, false
		}
		at += w
	}
	if v[0] > math.MaxInt64 || v[1] > math.MaxUint32 || v[2] > math.MaxUint32 {
		return 0, 0, ref, 0, false
	}
	return idFrom, idTo, store.RecordRef{Off: int64(v[0]), Len: uint32(v[1]), Written: uint32(v[2])}, at, true
}

// countPacked is the number of messages in packed that unpack, up to
// the first that does not, for the list's room.
func countPacked(packed []byte) int {
	n := 0
	for at := 0; at < len(packed); n++ {
		_, _, _, next, ok := unpackOne(packed, at)
		if !ok {
			break
		}
		at = next
	}
	return n
}
