package ppap

import (
	"container/heap"
	"slices"
	"time"
)

// waiting indexes the held ZIP mails whose pairing has not started, so
// that each Write finds the few its message concerns without going
// through every held message: with a 24-hour window a busy quarantine
// holds thousands, and a scan over all of them per Write made the
// pairing quadratic in the window's size.
//
// A ZIP mail leaves the index when its pairing starts (heldMsg.pairing);
// the structures drop such entries lazily, when they meet them, and the
// sender maps in a sweep once they have doubled (a list whose key no
// later message looks up would otherwise keep its ZIP mails for good).
type waiting struct {
	// byAddr holds them by From domain and address, and byRcpt by From
	// domain and each of their recipients: a new message is a candidate
	// (sameSender) only for one of the same domain and address, or for
	// one whose recipients include its first.
	byAddr, byRcpt map[senderKey][]*heldMsg
	// entries counts the entries of the two maps; sweepAt is the count at
	// which add sweeps them.
	entries, sweepAt int
	// byDate holds the dated ones, earliest first: a dated message closes
	// the windows of those dated more than the window before it.
	byDate dateHeap
	// datedBySeq and undatedBySeq hold them in listing order: an undated
	// message closes every window opened more than zeroDateSpan listings
	// before it, and any message closes an undated one's that far back.
	datedBySeq, undatedBySeq fifo
}

func newWaiting() *waiting {
	return &waiting{byAddr: map[senderKey][]*heldMsg{}, byRcpt: map[senderKey][]*heldMsg{}}
}

// add indexes h, which has just been held and waits for its pairing.
func (w *waiting) add(h *heldMsg) {
	if w.entries >= max(w.sweepAt, 1024) {
		w.sweep()
	}
	if h.ref.FromAddr != "" {
		k := senderKey{h.ref.FromDomain, h.ref.FromAddr}
		w.byAddr[k] = append(w.byAddr[k], h)
		w.entries++
	}
	for _, rcpt := range h.ref.Recipients {
		k := senderKey{h.ref.FromDomain, rcpt}
		w.byRcpt[k] = append(w.byRcpt[k], h)
		w.entries++
	}
	if h.ref.Date.IsZero() {
		w.undatedBySeq.push(h)
	} else {
		w.datedBySeq.push(h)
		heap.Push(&w.byDate, h)
	}
}

// sweep drops from the sender maps the ZIP mails whose pairing has
// started.
func (w *waiting) sweep() {
	w.entries = 0
	for _, m := range []map[senderKey][]*heldMsg{w.byAddr, w.byRcpt} {
		for k, list := range m {
			list = slices.DeleteFunc(list, func(h *heldMsg) bool { return h.pairing })
			if len(list) == 0 {
				delete(m, k)
				continue
			}
			m[k] = list
			w.entries += len(list)
		}
	}
	w.sweepAt = 2 * w.entries
}

// candidateOf calls f with every waiting ZIP mail of c's From domain that
// c is a candidate for (IsCandidate), each once, dropping from the index
// those whose pairing has started. The order is not listing order.
func (w *waiting) candidateOf(c *Ref, window time.Duration, f func(*heldMsg)) {
	visit := func(m map[senderKey][]*heldMsg, k senderKey, skip func(*heldMsg) bool) {
		list, ok := m[k]
		if !ok {
			return
		}
		n := len(list)
		list = slices.DeleteFunc(list, func(h *heldMsg) bool { return h.pairing })
		w.entries -= n - len(list)
		if len(list) == 0 {
			delete(m, k)
			return
		}
		m[k] = list
		for _, z := range list {
			if !skip(z) && IsCandidate(z.ref, c, window) {
				f(z)
			}
		}
	}
	never := func(*heldMsg) bool { return false }
	if c.FromAddr != "" {
		visit(w.byAddr, senderKey{c.FromDomain, c.FromAddr}, never)
	}
	if len(c.Recipients) > 0 {
		// One of the same address was visited above.
		sameAddr := func(z *heldMsg) bool { return c.FromAddr != "" && z.ref.FromAddr == c.FromAddr }
		visit(w.byRcpt, senderKey{c.FromDomain, c.Recipients[0]}, sameAddr)
	}
}

// closedBy returns, in listing order, the waiting ZIP mails whose window
// next closes: the rule of inWindow, seen from the other side — next is
// dated more than window after a dated one, or, when either has no date,
// listed more than zeroDateSpan after it.
func (w *waiting) closedBy(next *Ref, window time.Duration) []*heldMsg {
	var out []*heldMsg
	bySeq := func(q *fifo) {
		for h := q.front(); h != nil && next.Seq-h.ref.Seq > zeroDateSpan; h = q.front() {
			q.pop()
			out = append(out, h)
		}
	}
	bySeq(&w.undatedBySeq)
	if next.Date.IsZero() {
		bySeq(&w.datedBySeq)
	} else {
		// Date.Sub saturates, so "more than window after" is monotone in
		// the waiting mail's date: the earliest decide.
		for h := w.byDate.first(); h != nil && next.Date.Sub(h.ref.Date) > window; h = w.byDate.first() {
			heap.Pop(&w.byDate)
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *heldMsg) int { return a.ref.Seq - b.ref.Seq })
	return out
}

// all returns every waiting ZIP mail, in listing order.
func (w *waiting) all() []*heldMsg {
	var out []*heldMsg
	for _, q := range []*fifo{&w.datedBySeq, &w.undatedBySeq} {
		for _, h := range q.items {
			if !h.pairing {
				out = append(out, h)
			}
		}
	}
	slices.SortFunc(out, func(a, b *heldMsg) int { return a.ref.Seq - b.ref.Seq })
	return out
}

// earliestDate is the date of the earliest dated waiting ZIP mail, or
// the zero time when none waits.
func (w *waiting) earliestDate() time.Time {
	if h := w.byDate.first(); h != nil {
		return h.ref.Date
	}
	return time.Time{}
}

// fifo is a queue of held ZIP mails in listing order.
type fifo struct {
	items []*heldMsg
	// compactAt is the length at which push drops the entries whose
	// pairing has started: the dated queue is popped only when an undated
	// message comes, so without it the queue kept every ZIP mail of the
	// scan (and, through them, their messages) alive.
	compactAt int
}

func (q *fifo) push(h *heldMsg) {
	q.front()
	if len(q.items) >= max(q.compactAt, 256) {
		q.items = slices.DeleteFunc(q.items, func(o *heldMsg) bool { return o.pairing })
		q.compactAt = 2 * len(q.items)
	}
	q.items = append(q.items, h)
}

// front is the first entry still waiting, nil when none.
func (q *fifo) front() *heldMsg {
	for len(q.items) > 0 && q.items[0].pairing {
		q.pop()
	}
	if len(q.items) == 0 {
		return nil
	}
	return q.items[0]
}

func (q *fifo) pop() {
	q.items[0] = nil
	q.items = q.items[1:]
}

// dateHeap is a min-heap of held ZIP mails by date, then listing order.
type dateHeap []*heldMsg

func (d dateHeap) Len() int           { return len(d) }
func (d dateHeap) Less(i, j int) bool { return earlier(d[i].ref, d[j].ref) }
func (d dateHeap) Swap(i, j int)      { d[i], d[j] = d[j], d[i] }
func (d *dateHeap) Push(x any)        { *d = append(*d, x.(*heldMsg)) }
func (d *dateHeap) Pop() any {
	old := *d
	h := old[len(old)-1]
	old[len(old)-1] = nil
	*d = old[:len(old)-1]
	return h
}

// first is the earliest entry still waiting, nil when none.
func (d *dateHeap) first() *heldMsg {
	for len(*d) > 0 && (*d)[0].pairing {
		heap.Pop(d)
	}
	if len(*d) == 0 {
		return nil
	}
	return (*d)[0]
}
