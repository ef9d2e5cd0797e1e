package ppap

import (
	"container/heap"
	"slices"
	"time"
)

// senderIndex finds the recent messages that may carry a ZIP mail's
// password (IsCandidate) without testing every message of its From
// domain. sameSender admits a message from the same address, or from the
// same domain whose recipients are all among the ZIP mail's: so a
// candidate is under its domain and address, or under its domain and
// its first (smallest) recipient, which must be one of the ZIP mail's.
// A message with neither address nor recipients is never a candidate and
// is only counted. The lists keep listing order.
//
// Pruning finds the stale entries by date (byDate) and, undated, by
// listing order (undated), instead of testing every entry of every list
// each time: it marks them dead, candidates skips them, and the lists
// drop them once dead entries are a fifth of the lists.
type senderIndex struct {
	byAddr      map[senderKey][]*Ref // FromDomain, FromAddr
	byFirstRcpt map[senderKey][]*Ref // FromDomain, Recipients[0]
	byDate      refHeap              // the dated entries, earliest first
	undated     []*Ref               // the undated entries, in listing order
	// n counts the live messages indexed (with a From domain), each once:
	// it paces pruning exactly as the per-domain index it replaced did;
	// dead counts those pruned but still in the lists.
	n, dead int
}

func newSenderIndex() *senderIndex {
	return &senderIndex{byAddr: map[senderKey][]*Ref{}, byFirstRcpt: map[senderKey][]*Ref{}}
}

// senderKey is a From domain and an address; it shares the Ref's
// strings, so indexing a message allocates no key.
type senderKey struct{ domain, addr string }

// add indexes r (without a From domain it pairs with nothing).
func (x *senderIndex) add(r *Ref) {
	if r.FromDomain == "" {
		return
	}
	x.n++
	if r.FromAddr != "" {
		k := senderKey{r.FromDomain, r.FromAddr}
		x.byAddr[k] = append(x.byAddr[k], r)
	}
	if len(r.Recipients) > 0 {
		k := senderKey{r.FromDomain, r.Recipients[0]}
		x.byFirstRcpt[k] = append(x.byFirstRcpt[k], r)
	}
	if r.Date.IsZero() {
		x.undated = append(x.undated, r)
	} else {
		heap.Push(&x.byDate, r)
	}
}

// candidates returns the indexed messages that are candidates for zip
// (IsCandidate), in listing order.
func (x *senderIndex) candidates(zip *Ref, window time.Duration) []*Ref {
	if zip.FromDomain == "" {
		return nil
	}
	var out []*Ref
	take := func(list []*Ref) {
		for _, r := range list {
			if !r.pruned && IsCandidate(zip, r, window) {
				out = append(out, r)
			}
		}
	}
	if zip.FromAddr != "" {
		take(x.byAddr[senderKey{zip.FromDomain, zip.FromAddr}])
	}
	for _, rcpt := range zip.Recipients {
		take(x.byFirstRcpt[senderKey{zip.FromDomain, rcpt}])
	}
	slices.SortFunc(out, func(a, b *Ref) int { return a.Seq - b.Seq })
	return slices.Compact(out) // one listed both by address and by recipient
}

// pruneStale drops the entries that can no longer pair with a message
// still to come, seq being the next message's position: an entry dated
// before cut and listed more than span messages ago, or an undated one
// listed more than span ago, and not after keepAfter (where the first
// dated ZIP mail still waiting is listed).
func (x *senderIndex) pruneStale(cut time.Time, seq, span, keepAfter int) {
	drop := func(r *Ref) {
		r.pruned = true
		x.n--
		x.dead++
	}
	for len(x.undated) > 0 && seq-x.undated[0].Seq > span && x.undated[0].Seq <= keepAfter {
		drop(x.undated[0])
		x.undated[0] = nil
		x.undated = x.undated[1:]
	}
	// The dated entries before cut are the heap's first; those listed
	// too recently wait for a later pruning.
	var recent []*Ref
	for len(x.byDate) > 0 && x.byDate[0].Date.Before(cut) {
		r := heap.Pop(&x.byDate).(*Ref)
		if seq-r.Seq > span {
			drop(r)
		} else {
			recent = append(recent, r)
		}
	}
	for _, r := range recent {
		heap.Push(&x.byDate, r)
	}
	// Dead entries stay in the lists until they are a fifth of them:
	// compacting costs a pass over every list.
	if 4*x.dead > x.n {
		x.compact()
	}
}

// compact removes the pruned entries from the lists.
func (x *senderIndex) compact() {
	pruned := func(r *Ref) bool { return r.pruned }
	for _, m := range []map[senderKey][]*Ref{x.byAddr, x.byFirstRcpt} {
		for k, refs := range m {
			if kept := slices.DeleteFunc(refs, pruned); len(kept) == 0 {
				delete(m, k)
			} else {
				m[k] = kept
			}
		}
	}
	x.dead = 0
}

// refHeap is a min-heap of Refs by date, then listing order.
type refHeap []*Ref

func (h refHeap) Len() int           { return len(h) }
func (h refHeap) Less(i, j int) bool { return earlier(h[i], h[j]) }

// earlier orders refs by date, then listing order: the order both the
// sender index's and the waiting ZIP mails' heaps expire in.
func earlier(a, b *Ref) bool {
	if c := a.Date.Compare(b.Date); c != 0 {
		return c < 0
	}
	return a.Seq < b.Seq
}
func (h refHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)   { *h = append(*h, x.(*Ref)) }
func (h *refHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return r
}
