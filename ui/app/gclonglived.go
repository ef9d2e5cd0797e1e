package app

import (
	"math"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// gcPercent is the garbage collection target (GOGC) of the long-lived
// front ends, the console and the SSH server, when the operator sets
// none. Each is a long-lived process on a gateway shared with other
// services, holding a whole quarantine: Go's default of
// 100 lets the heap grow to twice the live rows before a collection, and
// the scan's parsing garbage takes it there, so that resident memory is
// about twice what the list needs. A lower target trades some CPU during
// the scan for that memory (figures in README.md, "Memory").
const gcPercent = 50

// The console also sets a soft memory limit that follows its live heap
// (limitFor): the live heap plus a quarter, tighter than the collection
// target's half, so that the heap stops growing at the end of the scan,
// when the rows are many, instead of at its start, when they are few and
// collections are cheap. At 100,000 messages (live heap about 80 MiB)
// that took peak resident memory from 165–174 MiB to 141–142 MiB for the
// same CPU, 23–24 s (testdata/console-measure.sh, no PPAP, no cache); a
// fixed limit of 120 MiB reached 136 MiB for 3 s more CPU, and would
// collect without end in a quarantine whose rows outgrow it. Once rows
// held one pointer each (model.Row), the live heap at the scan's end
// was 70 MB and the peak 131–132 MiB: 22 MiB of slack instead of 16
// spends 3 of those MiB on fewer collections, a 100,000-message scan
// 7.1–7.3 → 6.6–7.1 s (28 MiB: 6.3–6.8 s, but a peak of 142 MiB, at the
// 150 MB the console is to stay under).
//
// The quarter is at most scanRoomMost, and at least the runtime's share
// (runtimeShare). What a scan allocates between two collections is its
// batches and their garbage, which do not grow with the rows; the
// quarter grows with them, and at a million messages reopened (a live
// heap of about 400 MB at the scan's end) let resident memory reach
// about 500 MiB before the scan had ended, the console's peak. A quarter
// of the live heap reaches the bound at 192 MiB, between 250,000 and
// 500,000 messages: a scan of 100,000 has the quarter as before.
const (
	limitSlack    = 22 << 20 // stacks, runtime metadata, the scan's batches
	scanRoomMost  = 48 << 20
	minLimit      = 64 << 20
	limitInterval = 100 * time.Millisecond
)

// While a scan analyses (ScansAnalysing), a heap smaller than
// scanHeapFloor may grow to it before a collection, rather than by
// gcPercent of itself (scanPercentFor), as the CLI's scan does (ui/cli,
// heapFloor). Early in a scan the live heap is small (15–30 MB at
// 100,000 messages before the rows grow), and half of it let the
// analysis's garbage start a collection every 7–15 MB. What that cost
// was the number of collections, each marking what the console holds
// besides, not the rows: a console that kept no rows (a measure, not a
// mode) collected 423–426 times in a cold scan of 100,000 messages and
// spent as much on it. With the floor the console collected 178–184
// times instead of 269–274, and the scan took 6.93–8.31 s instead of
// 7.27–9.13 (figures in the note of this change).
//
// The soft limit (limitFor, never below minLimit) stays the bound: the
// target is set every limitInterval, and one chosen for a small heap
// holds until the next tick. A large scan's peak, which that limit
// sets once its rows are many, is where it was (100,000 messages: 101–107
// MiB before, 103–107 after). A small scan's peak rises towards the
// floor instead: a cold console scan of 20,000 messages peaked at 76 MiB
// instead of 51–54, and took 1.42–1.57 s instead of 1.72–2.46; once the
// memory settled (settler), it held 39–40 MiB, as before.
const (
	scanHeapFloor  = 48 << 20
	maxScanPercent = 1000
)

// scanPercentFor returns the collection target while a scan runs, for a
// live heap of live bytes: gcPercent, or the target that lets a smaller
// heap grow to scanHeapFloor, at most maxScanPercent.
func scanPercentFor(live uint64) int {
	if live >= scanHeapFloor*100/(100+gcPercent) {
		return gcPercent
	}
	return PercentToFloor(live, scanHeapFloor, maxScanPercent)
}

// PercentToFloor returns the collection target (GOGC) that lets a live
// heap of live bytes, under floor, grow to floor before the next
// collection, at most most (and most for an empty heap); 0 for a heap
// already at the floor. The console's policy (scanPercentFor) and the
// CLI's (ui/cli, gcPercentFor) both let a small heap grow so while a
// scan analyses.
func PercentToFloor(live, floor uint64, most int) int {
	switch {
	case live == 0:
		return most
	case live >= floor:
		return 0
	}
	return int(min(floor*100/live-100, uint64(most)))
}

// limitFor returns the soft memory limit for a live heap of live bytes
// while a scan runs: live plus a quarter (at most scanRoomMost, at least
// runtimeShare) plus limitSlack, never below minLimit.
func limitFor(live uint64) int64 {
	return limitWith(live, room(live, 4, scanRoomMost, 0)+limitSlack)
}

// room is what a limit leaves beyond a live heap of live bytes, besides
// its slack: a part of it (live/part), at most most, and extra more, but
// never less than the runtime's share.
func room(live, part, most, extra uint64) uint64 {
	return max(min(live/part, most)+extra, runtimeShare(live))
}

// runtimeShare is what the Go runtime itself takes of a memory limit
// beyond a live heap of live bytes: the collector's headroom (3% of its
// goal), the free parts of the heap's spans, and its metadata, about 26
// MB beside a live heap of 400 MB. A limit must leave it and more, or
// the collector finds the heap at its goal as it ends and starts again
// at the next allocation: a review's test of a capped room at 385 MiB
// live ran 40 collections in 4 s of an idle console, 99 with a trickle
// of allocations, none with the room above it.
func runtimeShare(live uint64) uint64 { return live / 16 }

// Once no scan runs and the memory has settled (settler), the limit
// follows the rows more closely: the live heap plus an eighth (at most
// idleRoomMost) plus idleSlack. What is allocated then is an operator's
// keys, the sorting ahead and a few arrivals, which this leaves room
// for, and the memory the scan's garbage took is given back to the
// system rather than kept for garbage that no longer comes: at 100,000
// messages resident memory after the scan 139–144 → 124–126 MiB, for
// sort keys 21–41 ms from the key's read to the frame's write instead of
// 8–19 (strace; a sixteenth and 8 MiB gave 118–121 MiB, and sort keys
// up to 0.3 s while sorting ahead).
//
// An eighth reaches the bound at 96 MiB, between 120,000 and 250,000
// messages (a list of 100,000 holds 53–80 MB), and past 192 MiB the
// runtime's share (runtimeShare) is more than the bound, and the room
// is that. Beyond the bound, what the room is for grows more slowly
// than the rows: a job sorting ahead holds at most 32 bytes a message
// as it runs (model.SortJob), and is counted in the live heap while it
// does, beside the 400 bytes a message the list holds. At a million
// messages the eighth left 50 MB over a live heap of about 400, 75
// beside a sorting job's, which the heap filled: the peak of a console
// reopened there.
//
// From a scan's end until the memory has settled (settler), the limit
// leaves settlingSlack more, less what the runtime's share takes beyond
// the idle room (past 192 MiB of live heap; past 448 MiB the share is
// all the room: at a million messages, some 380 MiB live, settling
// leaves 4 MiB more than idle). Right after a scan the sorting ahead
// (3–5 MB a job at 100,000 messages), the kept list's writing and the
// operator's first keys all allocate at once, and the idle limit, set
// from a live heap the scan's end had just shrunk (89 → 53 MB), left
// them almost no room: with one message delivered before each start,
// the collector ran 12–14 times, back to back, in the 1.5 s between the
// scan's end and testdata/console-measure.sh's last key, and Updates
// that allocated paid for it (taking a sorting job 2–90 ms); 4–6 times
// with the slack, the sort keys 41–128 ms from the key to the screen
// instead of 55–186 (4 paired runs each). Resident memory is higher
// until the settling gives it back: 105–116 MiB after the keys instead
// of 88–102. The scan's own limit (limitFor) held instead did as well
// at 100,000 messages, but its quarter of the live heap raised a
// million messages' peak from 640–646 MiB to 689–695: there the heap
// fills whatever limit it is given after the scan. (Tried: the slack
// only where a sixteenth of the live heap was less, which took the first
// sort key after a delivery at 100,000 messages from 46–72 ms to
// 65–139.)
const (
	idleSlack     = 12 << 20
	idleRoomMost  = 12 << 20
	settlingSlack = 16 << 20
)

// idleLimitFor returns the soft memory limit for a live heap of live
// bytes once no scan runs and the memory has settled.
func idleLimitFor(live uint64) int64 {
	return limitWith(live, room(live, 8, idleRoomMost, 0)+idleSlack)
}

// settlingLimitFor returns the soft memory limit for a live heap of
// live bytes from a scan's end until the memory has settled: the idle
// limit's room and settlingSlack more, or the runtime's share.
func settlingLimitFor(live uint64) int64 {
	return limitWith(live, room(live, 8, idleRoomMost, settlingSlack)+idleSlack)
}

// limitWith returns live plus room, never below minLimit, saturating
// rather than wrapping.
func limitWith(live, room uint64) int64 {
	goal := live + room
	if goal < live || goal > math.MaxInt64 {
		return math.MaxInt64
	}
	return max(int64(goal), minLimit)
}

// scansRunning counts the scans under way in the process (App.scan),
// which choose the limit: limitFor while one runs, settlingLimitFor from
// its end until the memory has settled, idleLimitFor after that.
var scansRunning atomic.Int32

// scansStarted counts the scans the process has started, for the
// settling of its memory (settler).
var scansStarted atomic.Uint64

// scanUnderWay records a scan under way until done is called.
func scanUnderWay() (done func()) {
	scansStarted.Add(1)
	scansRunning.Add(1)
	return func() { scansRunning.Add(-1) }
}

// TuneLongLivedGC sets the collection target to gcPercent and a soft
// memory limit that follows the live heap (limitFor, every
// limitInterval), unless the operator chose a target with GOGC or
// GOMEMLIMIT, which the Go runtime has then applied already; it returns
// a function that stops following and restores the previous settings.
// The console and "mxaudit serve" call it: both hold a quarantine's rows
// for hours (the server's sessions share its heap, and its rows). A
// command's process is short-lived and keeps a heap floor instead
// (ui/cli).
func TuneLongLivedGC(getenv func(string) string) (restore func()) {
	if OperatorChoseGC(getenv) {
		return func() {}
	}
	oldPercent := debug.SetGCPercent(gcPercent)
	oldLimit := debug.SetMemoryLimit(-1)
	var set int64
	setPct := gcPercent
	// The scans the process ran before are not this policy's to settle.
	settle := settler{started: scansStarted.Load(), settled: true}
	stop := FollowLiveHeap(limitInterval, func(live uint64) {
		scanning := scansRunning.Load() > 0
		if settle.tick(time.Now(), scanning, scansStarted.Load()) {
			// The live heap the collection finds sets the limit at the
			// next tick.
			freeOSMemory()
		}
		limit, pct := idleLimitFor(live), gcPercent
		switch {
		case scanning:
			limit = limitFor(live)
		case settle.unsettled():
			limit = settlingLimitFor(live)
		}
		if scanning && ScansAnalysing() {
			pct = scanPercentFor(live)
		}
		if limit != set {
			debug.SetMemoryLimit(limit)
			set = limit
		}
		if pct != setPct {
			debug.SetGCPercent(pct)
			setPct = pct
		}
	})
	return func() {
		stop()
		debug.SetMemoryLimit(oldLimit)
		debug.SetGCPercent(oldPercent)
	}
}
