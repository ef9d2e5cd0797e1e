package app

import (
	"runtime"
	"sync"
)

// onWorkers calls do(i) for each i in [0, n) on workers goroutines
// (runtime.GOMAXPROCS(0) when workers is 0 or less), and returns once
// every call has. Once stop reports true, no further i is handed out.
// The check of new mail reads or analyses each new message so, on the
// scan's workers (readAppended, checkFlood).
func onWorkers(workers, n int, stop func() bool, do func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				do(i)
			}
		})
	}
	for i := range n {
		if stop() {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
}
