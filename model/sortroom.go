package model

// A SortRoom is the room a job sorting ahead fills as the table takes
// it (Table.SortJobIn): an arrival index a listed message, a key an
// arrived one, and a text an arrived one for the From, Domain and
// Subject columns. Made away from Update (NewSortRoom, in a command),
// it spares Update the allocation of 1.2–2.8 MB at 100,000 messages,
// and what the collector charges for it: an allocation during a
// collection makes its goroutine help mark in proportion to its size,
// and right after a scan, when collections come close together, taking
// a job in Update so took up to 98 ms, 49 of them marking, with a key
// waiting behind it. A room is used once.
type SortRoom struct {
	idx  []int32
	keys []uint64
	text []string
}

// A SortRoomSize is the room a job needs (Table.SortRoomFor): an entry
// a listed message, a key an arrived one, and a text an arrived one
// when Texts is set.
type SortRoomSize struct {
	Listed, Arrived int
	Texts           bool
}

// SortRoomFor returns the room a job sorting the table by k needs as it
// stands.
func (t *Table) SortRoomFor(k SortKey) SortRoomSize {
	return SortRoomSize{Listed: len(t.order), Arrived: t.n, Texts: textColumn(k.Column)}
}

// NewSortRoom returns room for a job of the size s (SortRoomFor), and
// some more: messages that arrive between the ask and the taking (a
// live watch's, right after a scan) would leave a room of the exact
// size too small, to be allocated again in Update.
func NewSortRoom(s SortRoomSize) *SortRoom {
	r := &SortRoom{idx: make([]int32, withSpare(s.Listed)), keys: make([]uint64, withSpare(s.Arrived))}
	if s.Texts {
		r.text = make([]string, withSpare(s.Arrived))
	}
	return r
}

// withSpare is n and room for a few arrivals: 64, and a sixty-fourth
// of n at large sizes.
func withSpare(n int) int { return n + n/64 + 64 }

// take returns the arrays of a job of the size s: the room's where they
// fit, else new ones. The room gives its arrays up: a nil room, or one
// taken already, has none to give.
func (r *SortRoom) take(s SortRoomSize) (idx []int32, keys []uint64, text []string) {
	if r == nil {
		r = &SortRoom{}
	}
	idx, keys = fit(r.idx, s.Listed), fit(r.keys, s.Arrived)
	if s.Texts {
		text = fit(r.text, s.Arrived)
	}
	r.idx, r.keys, r.text = nil, nil, nil
	return idx, keys, text
}

// fit returns a of length n when it has room for n and not much more,
// else a new slice. The room's index array becomes the order a table
// keeps, with its capacity: one made before many messages went would
// hold their room for as long as the order is kept. A nil a gives a
// slice too, so that a job over no message has an order (AdoptSort
// takes a nil one for a job that never ran).
func fit[T any](a []T, n int) []T {
	if a != nil && cap(a) >= n && cap(a) <= 2*withSpare(n) {
		return a[:n]
	}
	return make([]T, n)
}
