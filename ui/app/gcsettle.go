package app

import (
	"runtime/debug"
	"time"
)

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
var settleAfter = 3 * time.Second // a variable for tests

// freeOSMemory settles the memory; a variable for tests.
var freeOSMemory = debug.FreeOSMemory

// settler decides when the memory is settled: settleAfter after the
// last scan ended, once per scan.
type settler struct {
	started uint64    // the scans started when last ticked
	ended   time.Time // when no scan was seen running first; zero while one runs
	settled bool
}

// tick reports whether to settle now, given whether a scan runs and how
// many scans the process has started (scansStarted): one that started
// and ended between two ticks counts too. Before the first scan there
// is nothing to settle.
func (s *settler) tick(now time.Time, scanning bool, started uint64) bool {
	if started != s.started {
		s.started, s.ended, s.settled = started, time.Time{}, false
	}
	switch {
	case started == 0, s.settled:
		return false
	case scanning:
		s.ended = time.Time{}
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

// unsettled reports whether a scan has started since the memory was
// last settled, as of the last tick: from a scan's start until
// settleAfter after its end.
func (s *settler) unsettled() bool { return s.started > 0 && !s.settled }
