package app

import (
	"crypto/sha256"

	"mxaudit/model"
)

// A warm scan's messages are the analysis cache's records, byte for byte
// (model.Encoded.From): the spill names where a record's message is in
// the cache's file rather than write a copy of its own. A start that
// read a million cached messages again wrote 2.1 GB beside the cache
// (217 MB at 100,000); a replay of a snapshot writes nothing now, and
// a start that pairs everything again writes only what it analysed or
// paired anew.
//
// The spill reads such a record through a handle of its own on that
// very file (model.RecordFile.Reopen), taken at the first one, so that
// the file stays what the offsets are of whatever the cache does since
// (another process compacting it renames a new file over its name). A
// read checks the bytes against their SHA-256 and the message's ID, as
// a read of the spill's own file does: a record that is not what was
// put is an error, never another message. Records of one cache file
// only: should messages name another (the cache was opened again), the
// spill writes copies of those, as before.

// outsideAt marks off as a place in the outside file (see spillRecord):
// -1 - off, so that a place 0 is outside too.
func outsideAt(off int64) int64 { return -1 - off }

// outside reports whether r is a record of the outside file, and where.
func (r spillRecord) outside() (at int64, ok bool) {
	if r.off < 0 {
		return -1 - r.off, true
	}
	return 0, false
}

// outsideRecord returns the record of m, whose bytes the cache's file
// holds, as a place in that file; false when it is to be written (or
// kept in memory) as before. s.putMu is held.
func (s *Spill) outsideRecord(m *model.Message) (spillRecord, bool) {
	if !m.IsEncoded() || m.Encoded.From == nil || m.Encoded.At < 0 {
		return spillRecord{}, false
	}
	rec := m.Encoded.JSON
	if len(rec) == 0 || len(rec) > maxSpillRecord || !s.readsFrom(m.Encoded.From) {
		return spillRecord{}, false
	}
	sum := m.Encoded.JSONSum
	if !m.Encoded.HasJSONSum {
		sum = sha256.Sum256(rec)
	}
	return spillRecord{off: outsideAt(m.Encoded.At), n: uint32(len(rec)), sum: sum}, true
}

// readsFrom reports whether the spill reads records of from: it does
// when from is the file it holds a handle on, or, when it holds none (or
// one no record names any more), when a handle can be taken on from now.
// A file whose handle could not be taken is not tried again while it is
// the one named. s.putMu is held.
func (s *Spill) readsFrom(from model.RecordFile) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return false
	case s.outsideFrom == from:
		return s.outside != nil
	case s.outsideLive > 0:
		return false // records name another file still
	}
	s.letGoOutsideLocked()
	s.outsideFrom = from
	f, err := from.Reopen()
	if err != nil {
		return false
	}
	s.outside = f
	return true
}

// letGoOutsideLocked closes the handle on the cache's file once no
// record names it; s.mu is held.
func (s *Spill) letGoOutsideLocked() {
	if s.outsideLive > 0 && !s.closed {
		return
	}
	if s.outside != nil {
		s.outside.Close()
	}
	s.outside, s.outsideFrom = nil, nil
}
