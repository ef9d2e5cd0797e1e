package ppap

import (
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
// is only counted (bare). The lists keep listing order.
type senderIndex struct {
	byAddr      map[senderKey][]*Ref // FromDomain, FromAddr
	byFirstRcpt map[senderKey][]*Ref // FromDomain, Recipients[0]
	bare        []*Ref
	// n counts the messages indexed (with a From domain), each once: it
	// paces pruning exactly as the per-domain index it replaced did.
	n int
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
	if r.FromAddr == "" && len(r.Recipients) == 0 {
		x.bare = append(x.bare, r)
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
			if IsCandidate(zip, r, window) {
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

// prune drops the entries stale accepts, keeping the others in order.
func (x *senderIndex) prune(stale func(*Ref) bool) {
	for k, refs := range x.byAddr {
		kept := slices.DeleteFunc(refs, stale)
		x.n -= len(refs) - len(kept)
		if len(kept) == 0 {
			delete(x.byAddr, k)
		} else {
			x.byAddr[k] = kept
		}
	}
	for k, refs := range x.byFirstRcpt {
		kept := refs[:0]
		for _, r := range refs {
			switch {
			case !stale(r):
				kept = append(kept, r)
			case r.FromAddr == "": // not counted under its address
				x.n--
			}
		}
		clear(refs[len(kept):])
		if len(kept) == 0 {
			delete(x.byFirstRcpt, k)
		} else {
			x.byFirstRcpt[k] = kept
		}
	}
	n := len(x.bare)
	x.bare = slices.DeleteFunc(x.bare, stale)
	x.n -= n - len(x.bare)
}
