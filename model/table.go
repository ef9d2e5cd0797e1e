package model

import (
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Table is the list's data: every message received so far, in arrival
// order, and the filtered, sorted view of them that the list draws, with a
// selection that follows its message through sorts, filters and new
// arrivals.
//
// Two index slices make updates cheap with 100,000 messages: order holds
// every message sorted by the current key and view the subset that passes
// the filter, in the same order. A batch of new messages is sorted on its
// own and merged into both in one linear pass; a new filter is one pass
// over order, with no sorting; only a new sort key sorts everything.
//
// Sorting is stable: messages that compare equal keep their arrival order,
// whichever the direction.
type Table struct {
	// intern shares the verdict columns of the table's own rows
	// (intern.go).
	intern interner
	// lines holds every message's Row, by arrival index, in fixed-size
	// chunks: growing never copies (and never doubles the peak memory
	// of) 100,000 entries. The table keeps rows only: the full message
	// is kept by the caller (the console's spill, ui/app.Spill) and read
	// back when a view needs it. A line points into ownLines, or at a row
	// shared with other tables (AppendSharedRows: under "mxaudit serve"
	// every session lists the hub's rows), which the table never
	// changes; sharedLine has bit i set for those.
	lines      [][]*Row
	ownLines   [][]Row
	sharedLine []uint64
	n          int
	order      []int32
	// orderTies are order's ties (sortties.go), for the S key; nil when
	// not known: the order was merged with arrivals, or rows changed.
	orderTies []uint64
	view      []int32
	sort      SortKey
	filter    Filter
	text      string // filter.Text lower-cased
	// query is filter.Text parsed, when it uses the filter language
	// (query.go); nil for a plain search. marked answers is:marked.
	query  *Query
	marked func(MessageID) bool
	// selected is the arrival index of the selected message, -1 for none;
	// cursor is its position in view.
	selected int32
	cursor   int
	// removed counts messages taken out by Remove (released or deleted);
	// they stay in msgs so that arrival indexes keep their meaning.
	removed int
	// gen counts the changes to rows in place (rowsChanged); kept holds
	// orders for other keys than sort, and jobsOut the jobs handed out
	// for them (table_sort.go).
	gen     uint64
	kept    []*SortJob
	jobsOut []*SortJob
}

// NewTable returns an empty table sorted by DefaultSort.
func NewTable() *Table { return &Table{sort: DefaultSort, selected: -1} }

// Total returns the number of messages received and not removed.
func (t *Table) Total() int { return t.n - t.removed }

// chunkBits sets the chunk size of the message store: 1024 messages.
const chunkBits = 10

// line returns the row of the message with arrival index i.
func (t *Table) line(i int32) *Row { return t.lines[i>>chunkBits][i&(1<<chunkBits-1)] }

// ownLine keeps r in the table's own chunks and returns where.
func (t *Table) ownLine(r Row) *Row {
	if len(t.ownLines) == 0 || len(t.ownLines[len(t.ownLines)-1]) == 1<<chunkBits {
		t.ownLines = append(t.ownLines, make([]Row, 0, 1<<chunkBits))
	}
	last := &t.ownLines[len(t.ownLines)-1]
	*last = append(*last, r)
	return &(*last)[len(*last)-1]
}

// isSet reports whether bit i of bits is set.
func isSet(bits []uint64, i int32) bool { return bits[i>>6]&(1<<(i&63)) != 0 }

// setBit sets bit i of bits, or clears it (on false).
func setBit(bits []uint64, i int32, on bool) {
	if on {
		bits[i>>6] |= 1 << (i & 63)
	} else {
		bits[i>>6] &^= 1 << (i & 63)
	}
}

// RowAt returns the row of the i-th shown message, 0 <= i < Len. Rows
// never move, so the pointer stays valid; never change what it points
// at.
func (t *Table) RowAt(i int) *Row { return t.line(t.view[i]) }

// SelectedRow returns the selected message's row, or nil when nothing
// is shown.
func (t *Table) SelectedRow() *Row {
	if len(t.view) == 0 {
		return nil
	}
	return t.line(t.view[t.cursor])
}

// Len returns the number of messages the filter shows.
func (t *Table) Len() int { return len(t.view) }

// Sort returns the current sort key.
func (t *Table) Sort() SortKey { return t.sort }

// Filter returns the current filter.
func (t *Table) Filter() Filter { return t.filter }

// Cursor returns the position of the selected message among the shown
// ones, or -1 when nothing is shown.
func (t *Table) Cursor() int {
	if len(t.view) == 0 {
		return -1
	}
	return t.cursor
}

// SetCursor selects the i-th shown message, clamping i to the rows there
// are.
func (t *Table) SetCursor(i int) {
	if len(t.view) == 0 {
		t.cursor, t.selected = 0, -1
		return
	}
	t.cursor = max(0, min(i, len(t.view)-1))
	t.selected = t.view[t.cursor]
}

// MoveCursor moves the selection by delta rows, stopping at either end.
func (t *Table) MoveCursor(delta int) { t.SetCursor(t.cursor + delta) }

// Append adds messages in arrival order and places them in the sorted,
// filtered view. The table keeps their rows, not the messages, and
// shares the rows' verdict columns (intern.go). The selection stays on
// its message; the first message to arrive is selected.
func (t *Table) Append(msgs ...Message) {
	rows := make([]*Row, len(msgs))
	arena := t.intern.arenaFor(len(msgs))
	for i := range msgs {
		rows[i] = t.ownLine(newRow(&msgs[i], &t.intern, arena))
	}
	t.appendRows(rows, false)
}

// AppendSharedRows is Append for rows other tables list too (a
// RowBuilder's: under "mxaudit serve" every session lists the hub's
// rows). The table points at them, and never changes them: an edit gives
// the line a row of its own.
func (t *Table) AppendSharedRows(rows ...*Row) { t.appendRows(rows, true) }

// appendRows adds rows and places them in the sorted, filtered view;
// shared says whether other tables list the same rows.
func (t *Table) appendRows(rows []*Row, shared bool) {
	if len(rows) == 0 {
		return
	}
	batch := make([]int32, 0, len(rows))
	for _, r := range rows {
		if t.n>>chunkBits == len(t.lines) {
			t.lines = append(t.lines, make([]*Row, 0, 1<<chunkBits))
		}
		if t.n>>6 == len(t.sharedLine) {
			t.sharedLine = append(t.sharedLine, 0)
		}
		if shared {
			setBit(t.sharedLine, int32(t.n), true)
		}
		lines := &t.lines[len(t.lines)-1]
		*lines = append(*lines, r)
		batch = append(batch, int32(t.n))
		t.n++
	}
	slices.SortFunc(batch, t.compare)
	t.order = t.merge(t.order, batch)
	t.orderTies = nil
	shown := batch[:0]
	for _, i := range batch {
		if t.filter.MatchRow(t.line(i), t.text, t.query) {
			shown = append(shown, i)
		}
	}
	t.view = t.merge(t.view, shown)
	t.reselect(t.cursor)
}

// SetFilter shows only the messages f matches. The selection stays on its
// message when f still shows it, else it moves to the row now at the same
// position.
func (t *Table) SetFilter(f Filter) {
	if f == t.filter {
		return
	}
	narrowing := f.narrows(t.filter)
	t.filter, t.text = f, strings.ToLower(f.Text)
	t.query = nil
	if IsQuery(f.Text) {
		if q, err := ParseQuery(f.Text); err == nil {
			q.Marked = t.marked
			t.query = &q
		}
	}
	if narrowing {
		// Filtering view into itself is safe: the write index never
		// passes the read index.
		t.view = t.applyFilter(t.view, t.view[:0])
	} else {
		t.view = t.applyFilter(t.order, make([]int32, 0, len(t.order)))
	}
	t.reselect(t.cursor)
}

// SetMarked tells the table which messages the operator marked, for the
// filter language's is:marked.
func (t *Table) SetMarked(marked func(MessageID) bool) { t.marked = marked }

// Find returns the position among the shown messages of the message with
// the given ID, or -1.
func (t *Table) Find(id MessageID) int {
	for pos, i := range t.view {
		if t.line(i).ID() == id {
			return pos
		}
	}
	return -1
}

// applyFilter appends to into the messages of from (arrival indexes)
// that pass the filter, in from's order; into may be from itself
// (SetFilter narrowing), as the write index never passes the read index.
//
// Many messages are looked at in arrival order, not in from's, and
// several parts at once: arrival order is the order the rows and their
// text lie in memory (the table's chunks, a row snapshot's blocks),
// while from's is a sort's. At 100,000 messages sorted by sender, a
// keystroke that followed from took 46 ms, most of it waiting for
// memory; the matches are then marked in a bitmap and taken in from's
// order.
func (t *Table) applyFilter(from, into []int32) []int32 {
	if t.filter.IsZero() {
		return append(into, from...)
	}
	if len(from) < parallelFilterMin {
		for _, i := range from {
			if t.filter.MatchRow(t.line(i), t.text, t.query) {
				into = append(into, i)
			}
		}
		return into
	}
	marks := make([]uint64, (t.n+63)/64)
	for _, i := range from {
		setBit(marks, i, true)
	}
	parts := min(runtime.GOMAXPROCS(0), 4, len(from)/parallelFilterMin)
	size := (len(marks) + parts - 1) / parts
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		lo, hi := min(p*size, len(marks)), min((p+1)*size, len(marks))
		wg.Go(func() { t.unmarkMisses(marks[lo:hi], lo) })
	}
	t.unmarkMisses(marks[:min(size, len(marks))], 0)
	wg.Wait()
	for _, i := range from {
		if isSet(marks, i) {
			into = append(into, i)
		}
	}
	return into
}

// parallelFilterMin is how many messages a goroutine filters at least:
// at 100,000 a filter keystroke that had to look at every message took
// 12–25 ms on one core, most of the 50 ms a key may take to show.
const parallelFilterMin = 16384

// unmarkMisses clears the bits of words, those of the arrival indexes
// from 64*first on, whose messages do not pass the filter. It only reads
// the table: applyFilter runs several at once, on words of their own.
func (t *Table) unmarkMisses(words []uint64, first int) {
	for w, set := range words {
		for set != 0 {
			b := bits.TrailingZeros64(set)
			set &= set - 1
			if !t.filter.MatchRow(t.line(int32((first+w)*64+b)), t.text, t.query) {
				words[w] &^= 1 << b
			}
		}
	}
}

// reselect finds the selected message in view after view changed; when it
// is gone the selection falls on the row at position fallback.
func (t *Table) reselect(fallback int) {
	if t.selected >= 0 {
		if pos := slices.Index(t.view, t.selected); pos >= 0 {
			t.cursor = pos
			return
		}
	}
	t.SetCursor(fallback)
}
