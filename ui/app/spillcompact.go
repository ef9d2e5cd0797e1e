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
		s.forgetLocked(id, s.idKey(id))
	}
	s.letGoOutsideLocked()
}

// placeLocked indexes id's record (i, as in index) under key, id's
// idKey; s.mu is held, and id's own place was forgotten first. A key
// another message's record still holds is that message's: id goes to
// overflow instead.
func (s *Spill) placeLocked(id model.MessageID, key uint64, i int32) {
	if _, taken := s.index[key]; taken {
		if s.overflow == nil {
			s.overflow = map[model.MessageID]int32{}
		}
		s.overflow[id] = i
		return
	}
	s.index[key] = i
}

// findLocked returns id's place; s.mu is held. What index gives may be
// another message's record with the same key, which Get tells apart by
// the ID the record holds.
func (s *Spill) findLocked(id model.MessageID) (int32, bool) {
	if i, ok := s.overflow[id]; ok {
		return i, true
	}
	i, ok := s.index[s.idKey(id)]
	return i, ok
}

// forgetLocked drops id, whose idKey is key, from the index; s.mu is
// held. The record under its key may be another message's (the same
// hash): that one stays.
func (s *Spill) forgetLocked(id model.MessageID, key uint64) {
	if i, ok := s.overflow[id]; ok {
		s.dropLocked(i)
		delete(s.overflow, id)
		return
	}
	i, ok := s.index[key]
	if !ok || !s.holdsLocked(i, id) {
		return
	}
	s.dropLocked(i)
	delete(s.index, key)
}

// dropLocked lets go of the record at place i; s.mu is held.
func (s *Spill) dropLocked(i int32) {
	if i < 0 {
		s.mem[-i-1] = nil
		return
	}
	if _, outside := s.recs.at(int(i)).outside(); outside {
		s.outsideLive--
	} else {
		s.live -= int64(s.recs.at(int(i)).n) + 1
	}
}

// holdsLocked reports whether the record at place i is id's; s.mu is
// held. It reads nothing: a record on disk carries a 32-bit check of its
// ID under a seed of its own (idCheck), so that a Forget (every message
// that leaves) costs no read, and a record that is damaged or cannot be
// read is never guessed to be id's. Only a collision of both the 64-bit
// key and the check (about 2^-96 a pair) could drop another message's
// place, which Get then reports as not kept: never another message.
func (s *Spill) holdsLocked(i int32, id model.MessageID) bool {
	if i < 0 {
		m := s.mem[-i-1]
		return m == nil || m.ID == id
	}
	return s.recs.at(int(i)).chk == s.idCheck(id)
}

// compactIfMostlyDead compacts the file when it is large and more than
// half of it is dead; s.mu is held. A compaction that fails leaves the
// spill as it was. Its new file goes where the spill's is, or to the
// temporary directory when none can be made there any more (the cache's
// directory was removed, or made read-only, since): else a file that
// is never compacted grows under "mxaudit serve" for as long as it runs.
func (s *Spill) compactIfMostlyDead() {
	if s.f == nil || s.closed || s.end < s.compactMin || s.end-s.live <= s.end/2 {
		return
	}
	for _, d := range spillDirs(s.dir) {
		if s.moveLiveTo(d) == nil {
			return
		}
	}
}

// moveLiveTo copies the live records into a new private file in dir,
// which replaces the spill's file, and makes dir the spill's directory;
// s.mu is held. On failure the spill is as it was.
func (s *Spill) moveLiveTo(dir string) error {
	f, err := newSpillFile(dir)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	index := make(map[uint64]int32, len(s.index))
	recs := newChunkList[spillRecord](len(s.index) + len(s.overflow))
	var off int64
	var buf []byte
	var moveErr error
	// move copies the record at place i into the new file and returns
	// its new place.
	move := func(i int32) (int32, bool) {
		if i < 0 {
			return i, true
		}
		r := *s.recs.at(int(i))
		if _, outside := r.outside(); outside {
			recs.add(r) // in the cache's file, which stays
			return int32(recs.len() - 1), true
		}
		// The record and its newline; its digest is not checked here:
		// a damaged record stays damaged, and Get says so.
		if cap(buf) < int(r.n)+1 {
			buf = make([]byte, int(r.n)+1)
		}
		buf = buf[:int(r.n)+1]
		if _, err := s.f.ReadAt(buf, r.off); err != nil {
			moveErr = err
			return 0, false
		}
		if _, err := w.Write(buf); err != nil {
			moveErr = err
			return 0, false
		}
		recs.add(spillRecord{off: off, n: r.n, chk: r.chk, sum: r.sum})
		off += int64(r.n) + 1
		return int32(recs.len() - 1), true
	}
	for key, i := range s.index {
		j, ok := move(i)
		if !ok {
			f.Close()
			return moveErr
		}
		index[key] = j
	}
	var overflow map[model.MessageID]int32
	if s.overflow != nil {
		overflow = make(map[model.MessageID]int32, len(s.overflow))
	}
	for id, i := range s.overflow {
		j, ok := move(i)
		if !ok {
			f.Close()
			return moveErr
		}
		overflow[id] = j
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if s.retired != nil {
		s.retired.Close()
	}
	// A Get that took its place in the old file before this reads it
	// there: the old file stays open until the next compaction.
	s.retired, s.f = s.f, f
	s.index, s.overflow, s.recs, s.end, s.live = index, overflow, recs, off, off
	s.dir = dir
	return nil
}
