package scan

// reorder holds the outcomes that came back ahead of their turn until
// they are emitted in listing order. An outcome's seq is always within
// the window after the next one to emit: a slot (Run's slots) is taken
// before a job gets its seq and given back only once the job is
// emitted. So each seq has a place of its own in a ring of window
// outcomes, filled and emptied in place: a map of outcomes, each larger
// than a map keeps inline, cost an allocation of about 550 bytes for
// every message.
type reorder struct {
	ring []outcome
	held []bool
}

func newReorder(window int) *reorder {
	return &reorder{ring: make([]outcome, window), held: make([]bool, window)}
}

// put holds o until its turn.
func (r *reorder) put(o outcome) {
	i := o.seq % len(r.ring)
	if r.held[i] {
		panic("scan: an outcome came back more than a window ahead of its turn")
	}
	r.ring[i], r.held[i] = o, true
}

// take returns the outcome of seq, when it came back, and lets go of it.
func (r *reorder) take(seq int) (outcome, bool) {
	i := seq % len(r.ring)
	if !r.held[i] || r.ring[i].seq != seq {
		return outcome{}, false
	}
	o := r.ring[i]
	r.ring[i], r.held[i] = outcome{}, false // the message is not kept past its turn
	return o, true
}
