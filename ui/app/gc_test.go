package app

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestOperatorChoseGC checks that either variable counts as the
// operator's choice, and that an empty one does not.
func TestOperatorChoseGC(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set", nil, false},
		{"empty values", map[string]string{"GOGC": "", "GOMEMLIMIT": ""}, false},
		{"GOGC", map[string]string{"GOGC": "off"}, true},
		{"GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, true},
		{"both", map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, true},
		{"another variable", map[string]string{"GODEBUG": "gctrace=1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OperatorChoseGC(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("OperatorChoseGC = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFollowLiveHeap: the live heap is reported before FollowLiveHeap
// returns, again as time passes, and never after stop has returned.
func TestFollowLiveHeap(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	stop := FollowLiveHeap(time.Millisecond, func(uint64) {
		mu.Lock()
		calls++
		mu.Unlock()
	})
	mu.Lock()
	first := calls
	mu.Unlock()
	if first != 1 {
		t.Fatalf("%d calls before FollowLiveHeap returned, want 1", first)
	}
	for {
		mu.Lock()
		n := calls
		mu.Unlock()
		if n > 1 {
			break
		}
		runtime.GC() // gives the ticker's goroutine its turn
	}
	stop()
	mu.Lock()
	after := calls
	mu.Unlock()
	runtime.GC()
	time.Sleep(5 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if calls != after {
		t.Errorf("set called %d times after stop", calls-after)
	}
}
