package app

import "time"

// Once a scan has ended and the console has sorted ahead, what the scan
// and the sorting made and dropped is still the runtime's: the soft
// limit follows the live heap the last collection found, which the
// sorting's copies of every message's key inflated, and the heap keeps
// the pages until the limit presses. Measured at 1,000,000 messages,
// a console idle 30 s after its start held 540–560 MiB; one collection
// that returns the free pages (debug.FreeOSMemory) settled it at about
// 500 (the live heap then 452 MiB). So a long-lived front end settles
// its memory once, settleAfter after its last scan ended: a collection
// in the background (about 0.1 s of a core at a million messages,
// milliseconds at 100,000), once per scan, never while one runs.
const settleAfter = 3 * time.Second

// settler decides when the memory is settled: settleAfter after the
// last scan ended, once.
type settler struct {
	ended   time.Time // when no scan was seen running first; zero while one runs
	settled bool
}

// tick reports whether to settle now, given whether a scan runs.
func (s *settler) tick(now time.Time, scanning bool) bool {
	switch {
	case scanning:
		s.ended, s.settled = time.Time{}, false
		return false
	case s.settled:
		return false
	case s.ended.IsZero():
		s.ended = now
		return false
	case now.Sub(s.ended) < settleAfter:
		return false
	}
	s.settled = true
	return true
}
