package cli

import (
	"runtime/debug"
	"time"

	"mxaudit/ui/app"
)

// heapFloor is the heap a scan may grow to before its collector runs
// more often than Go's default, while it analyses messages. A scan's live
// heap is small (about 10 MiB at 20,000 messages without PPAP, since the
// listing became compact), while parsing every message makes short-lived
// garbage; with the default target of twice the live heap the collector
// ran 415 times in a 20,000-message scan instead of 161, and the scan
// took a third longer. Measured on that corpus (3 paired runs): a cold
// scan without PPAP 2.44–2.63 s wall → 1.41–1.45 s, peak RSS 26 → 55 MiB,
// still within the 60 MiB the issue sets. A warm scan, which reads its
// results from the cache and makes little garbage, gains nothing from it
// and touches more fresh pages, so the floor holds only while most
// messages are analysed (app.ScansAnalysing): at 20,000 messages (paired, 11
// runs) a warm scan's peak 44 → 40 MiB, a cold one's without PPAP 56 →
// 47 MiB, both as fast (0.98×, 0.96×). A scan whose live heap exceeds
// half the floor grows by less than Go's default (minLargePercent), so
// that a large scan's memory is not raised but lowered.
const heapFloor = 24 << 20

// maxGCPercent bounds the target the floor sets on a nearly empty heap.
const maxGCPercent = 1000

// A heap past half the floor is mostly what the scan holds for its whole
// length: the listing, the cache's index, the messages PPAP pairing holds
// for their window. Go's default target let it double before each
// collection, so that resident memory grew at twice the rate of what the
// scan holds. It grows instead by half the floor, or a quarter of itself
// when that is more (minLargePercent): collections come more often, and
// each marks what the scan holds. Measured (paired runs, noisy machine):
//   - 1,000,000 messages, no PPAP: peak 135 → 84–85 MiB, user CPU
//     85–86 → 88–93 s (the listing's names and index entries hold no
//     pointers: a collection marks little);
//   - 20,000 messages, PPAP on: peak 77–78 → 58–59 MiB, within the
//     60 MiB the issue sets, for 4.4–4.8 → 5.0 s of user CPU (the held
//     messages are full of pointers);
//   - 100,000 messages, PPAP on: 94 → 63–67 MiB, user CPU 19–23 →
//     23–27 s; a warm scan of them: 97–99 → 72 MiB, 1.5 → 1.6–1.8 s.
const minLargePercent = 25

// gcPercentFor returns the collection target (GOGC) for a heap of live
// bytes: while the scan mostly analyses (analysing), one that lets a
// small heap grow to floor before the next collection, never below Go's
// default of 100 nor above maxGCPercent; else Go's default for a small
// heap. A heap of half the floor or more may grow by half the floor, or
// a quarter of itself when that is more (minLargePercent), analysing or
// not.
func gcPercentFor(live, floor uint64, analysing bool) int {
	switch {
	case live == 0:
		return 100
	case live < floor/2 && analysing:
		return app.PercentToFloor(live, floor, maxGCPercent)
	case live < floor/2:
		return 100
	}
	return max(minLargePercent, int(floor/2*100/live))
}

// keepHeapFloor adjusts the collection target as the live heap changes,
// every few milliseconds (gcPercentFor): while analysing reports true, a
// small heap may grow to heapFloor; a large one grows by less than Go's
// default, analysing or not. It returns
// a function that stops and restores the previous target. It does
// nothing when the operator chose a target with GOGC or GOMEMLIMIT, which
// the Go runtime has then applied already.
func keepHeapFloor(getenv func(string) string, analysing func() bool) (stop func()) {
	if app.OperatorChoseGC(getenv) {
		return func() {}
	}
	old := debug.SetGCPercent(100)
	set := 100
	stopFollowing := app.FollowLiveHeap(10*time.Millisecond, func(live uint64) {
		if pct := gcPercentFor(live, heapFloor, analysing()); pct != set {
			debug.SetGCPercent(pct)
			set = pct
		}
	})
	return func() {
		stopFollowing()
		debug.SetGCPercent(old)
	}
}
