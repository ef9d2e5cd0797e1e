package app

import (
	"bufio"

	"mxaudit/model"
)

// A spill only appends: a message put again, forgotten (it left the
// quarantine) or reset (a reload) leaves its record behind. A console
// lives for a session, but "mxaudit serve" runs for weeks while
// messages come and go, and its file would grow without end. When most
// of a large file is dead, the live records are copied into a new
// private file, which replaces it.

// spillCompactMin is how large the file must be before it is compacted.
const spillCompactMin = 64 << 20

// Forget drops the messages ids: they left the quarantine, and a read of
// one fails from now on. It never waits for more than a Put writing a
// batch, or a compaction.
func (s *Spill) Forget(ids ...model.MessageID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.forgetLocked(id)
	}
}

// forgetLocked drops id from the index; s.mu is held.
func (s *Spill) forgetLocked(id model.MessageID) {
	key := s.idKey(id)
	i, ok := s.index[key]
	switch {
	case !ok:
		return
	case i < 0:
		s.mem[-i-1] = nil
	default:
		s.live -= int64(s.recs[i].n) + 1
	}
	delete(s.index, key)
}

// compactIfMostlyDead compacts the file when it is large and more than
// half of it is dead; s.mu is held. A compaction that fails leaves the
// spill as it was.
func (s *Spill) compactIfMostlyDead() {
	if s.f == nil || s.closed || s.end < s.compactMin || s.end-s.live <= s.end/2 {
		return
	}
	f, err := newSpillFile(s.dir)
	if err != nil {
		return
	}
	w := bufio.NewWriterSize(f, 1<<20)
	index := make(map[uint64]int32, len(s.index))
	recs := make([]spillRecord, 0, len(s.index))
	var off int64
	var buf []byte
	for key, i := range s.index {
		if i < 0 {
			index[key] = i
			continue
		}
		r := s.recs[i]
		// The record and its newline; its digest is not checked here:
		// a damaged record stays damaged, and Get says so.
		if cap(buf) < int(r.n)+1 {
			buf = make([]byte, int(r.n)+1)
		}
		buf = buf[:int(r.n)+1]
		if _, err := s.f.ReadAt(buf, r.off); err != nil {
			f.Close()
			return
		}
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return
		}
		recs = append(recs, spillRecord{off: off, n: r.n, sum: r.sum})
		index[key] = int32(len(recs) - 1)
		off += int64(r.n) + 1
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return
	}
	if s.retired != nil {
		s.retired.Close()
	}
	// A Get that took its place in the old file before this reads it
	// there: the old file stays open until the next compaction.
	s.retired, s.f = s.f, f
	s.index, s.recs, s.end, s.live = index, recs, off, off
}
