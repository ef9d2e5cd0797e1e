package app

import (
	"sync"
	"sync/atomic"

	"mxaudit/analysis/scan"
)

// scansAnalysing counts the scans under way in the process that mostly
// analyse their messages (scanShare).
var scansAnalysing atomic.Int32

// ScansAnalysing reports whether a scan under way in the process mostly
// analyses its messages: more than a quarter of those it has emitted so
// far were read and analysed, not found in the analysis cache. The
// collector's policies let a small heap grow to a floor only then
// (scanPercentFor here, the CLI's heapFloor): parsing makes garbage fast
// and a floor spares collections, while a scan served from the cache
// makes little, and a floor would only touch more fresh pages (at
// 100,000 messages a console's warm start showed its first rows later).
func ScansAnalysing() bool { return scansAnalysing.Load() > 0 }

// scanShare follows one scan's progress for ScansAnalysing. Safe for
// concurrent use.
type scanShare struct {
	mu       sync.Mutex
	counted  bool // counted in scansAnalysing
	finished bool
}

// progress takes the scan's progress.
func (s *scanShare) progress(p scan.Progress) {
	analysing := p.Analysed > 0 && (p.Analysed-p.Cached)*4 > p.Analysed
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished || analysing == s.counted {
		return
	}
	s.counted = analysing
	if analysing {
		scansAnalysing.Add(1)
	} else {
		scansAnalysing.Add(-1)
	}
}

// done ends the scan's count; progress changes nothing after it.
func (s *scanShare) done() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counted {
		scansAnalysing.Add(-1)
	}
	s.counted, s.finished = false, true
}
