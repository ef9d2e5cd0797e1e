package app

import (
	"runtime/metrics"
	"time"
)

// OperatorChoseGC reports whether the operator set the collector's target
// with GOGC or GOMEMLIMIT. The Go runtime has then applied it already, so
// a front end's own policy (a heap floor for a short scan, a lower target
// for the long-lived console) must leave the collector alone. The front
// ends keep their policies, which differ, and share this one rule.
func OperatorChoseGC(getenv func(string) string) bool {
	return getenv("GOGC") != "" || getenv("GOMEMLIMIT") != ""
}

// FollowLiveHeap calls set with the live heap (the runtime's
// /gc/heap/live:bytes) at once and then every interval, until the
// returned stop is called; stop waits for the last call. It never calls
// set on a runtime without the metric. The front ends' GC policies use
// it to adjust the collector as the live heap grows.
func FollowLiveHeap(interval time.Duration, set func(live uint64)) (stop func()) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() bool {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return false
		}
		set(sample[0].Value.Uint64())
		return true
	}
	done, finished := make(chan struct{}), make(chan struct{})
	following := read()
	go func() {
		defer close(finished)
		if !following {
			return
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if !read() {
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
