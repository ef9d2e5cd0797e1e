package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"mxaudit/model"
)

// Put keeps msgs, replacing any message kept under the same ID. It
// writes them in one go; whatever cannot be written is kept in memory.
//
// A message decoded only up to its head (model.Encoded: a warm scan's,
// or one a console's scan encoded once for its row's sum) is written as
// the bytes it carries, which are the whole message as the cache encodes
// it: decoding and encoding it again was a third of what a console spent
// on a scan after a delivery. Encoding the head-only struct instead
// would carry the head alone, and the copy read back would have no
// attachments, verdict or authentication, so that a release plan built
// on it needed no exception. One kept in memory (too large for a record,
// or the file failed) is decoded whole first; one that cannot be
// decoded is not kept at all: a read of it fails, and so does any plan
// that needs it.
func (s *Spill) Put(msgs ...model.Message) {
	msgs = s.decodeKeptInMemory(msgs)
	// One encoder writes the records into the spill's buffer: json.Marshal
	// copies each record out of its own buffer, and appending those
	// copies grew the batch's slice again and again (at 100,000
	// messages the spill cost 3 s of the console's CPU, half of it in
	// growing slices). Encode writes what Marshal does, and a newline,
	// which the record's length leaves out. The buffer is written out
	// every spillChunk bytes, so that it stays small.
	s.putMu.Lock()
	defer s.putMu.Unlock()
	batch := &s.batch
	defer func() {
		if batch.Cap() > maxKeptBatch { // a huge message's buffer is not kept
			*batch = bytes.Buffer{}
		}
	}()
	enc := json.NewEncoder(batch)
	recs := make([]spillRecord, 0, min(len(msgs), 256))
	for from := 0; from < len(msgs); {
		batch.Reset()
		recs = recs[:0]
		to := from
		for ; to < len(msgs) && batch.Len() < spillChunk; to++ {
			if r, ok := s.outsideRecord(&msgs[to]); ok {
				recs = append(recs, r)
				continue
			}
			recs = append(recs, encodeRecord(enc, batch, &msgs[to]))
		}
		s.commit(batch.Bytes(), msgs[from:to], recs)
		from = to
	}
}

// decodeKeptInMemory decodes whole, in a copy of msgs, the encoded
// messages the spill will keep in memory (too large for a record, or
// every one once the file failed): here rather than in commit, under
// s.mu, which Get and Reset (from the console's Update) wait for. One
// that does not decode is left as it is, for commit to drop in its
// turn, with any older copy (see Put), as it drops one whose write
// failed during this Put.
func (s *Spill) decodeKeptInMemory(msgs []model.Message) []model.Message {
	degraded := s.Degraded() != nil
	cloned := false
	for i := range msgs {
		m := &msgs[i]
		if !m.IsEncoded() || !degraded && len(m.Encoded.JSON) > 0 && len(m.Encoded.JSON) <= maxSpillRecord {
			continue
		}
		if m.Encoded.From != nil && len(m.Encoded.JSON) > 0 && len(m.Encoded.JSON) <= maxSpillRecord {
			continue // its place is named, most likely (outsideRecord); else commit decodes it
		}
		whole := *m
		if whole.Materialize() != nil {
			continue
		}
		if !cloned {
			msgs, cloned = slices.Clone(msgs), true // the caller's are not changed
		}
		msgs[i] = whole
	}
	return msgs
}

// spillChunk is how much Put encodes before it writes.
const spillChunk = 1 << 20

// encodeRecord appends m's record to batch and returns where it is in
// batch: the bytes an encoded message carries, as they are (see Put),
// else m encoded. Its n is 0 when the message is to be kept in memory
// instead (its record too large, or lossy).
func encodeRecord(enc *json.Encoder, batch *bytes.Buffer, m *model.Message) spillRecord {
	start := batch.Len()
	if m.IsEncoded() {
		rec := m.Encoded.JSON
		if len(rec) == 0 || len(rec) > maxSpillRecord {
			return spillRecord{}
		}
		batch.Write(rec)
		batch.WriteByte('\n') // as Encode ends a record
		sum := m.Encoded.JSONSum
		if !m.Encoded.HasJSONSum {
			sum = sha256.Sum256(rec)
		}
		return spillRecord{off: int64(start), n: uint32(len(rec)), sum: sum}
	}
	if err := enc.Encode(m); err != nil {
		batch.Truncate(start)
		return spillRecord{}
	}
	rec := batch.Bytes()[start : batch.Len()-1]
	if len(rec) == 0 || len(rec) > maxSpillRecord || bytes.Contains(rec, lossyUTF8) {
		batch.Truncate(start)
		return spillRecord{}
	}
	return spillRecord{off: int64(start), n: uint32(len(rec)), sum: sha256.Sum256(rec)}
}

// commit writes buf, the records recs of msgs, and indexes them.
func (s *Spill) commit(buf []byte, msgs []model.Message, recs []spillRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	written := false
	if s.f != nil && s.degraded == nil && len(buf) > 0 {
		_, err := s.f.WriteAt(buf, s.end)
		if err != nil && s.dir != os.TempDir() {
			// The cache's disk is full, say: the file moves to the
			// temporary directory rather than every message from now
			// on to memory.
			if moveErr := s.moveLiveTo(os.TempDir()); moveErr == nil {
				_, err = s.f.WriteAt(buf, s.end)
			} else {
				err = errors.Join(err, moveErr)
			}
		}
		if err != nil {
			s.degrade(fmt.Errorf("cannot write the file messages are kept in: %w", err))
		} else {
			written = true
		}
	}
	for i, r := range recs {
		key := s.idKey(msgs[i].ID)
		s.forgetLocked(msgs[i].ID, key) // an older copy must not answer for it
		index := func(r spillRecord) {
			r.chk = s.idCheck(msgs[i].ID)
			s.recs.add(r)
			s.placeLocked(msgs[i].ID, key, int32(s.recs.len()-1))
		}
		if _, outside := r.outside(); outside {
			if s.outside != nil {
				index(r)
				s.outsideLive++
				continue
			}
			r.n = 0 // no handle to read it by: kept in memory, below
		}
		if written && r.n > 0 {
			r.off += s.end
			index(r)
			s.live += int64(r.n) + 1
			continue
		}
		cp := msgs[i]
		if cp.Materialize() != nil {
			continue // unreadable: not kept (see Put)
		}
		s.mem = append(s.mem, &cp)
		s.placeLocked(cp.ID, key, -int32(len(s.mem)))
	}
	if written {
		s.end += int64(len(buf))
	}
	s.letGoOutsideLocked() // the copies these replaced may have been its last
	s.compactIfMostlyDead()
}
