package model

import (
	"sync"
	"unsafe"
)

// RowBuilder builds the rows of messages that several tables list (the
// SSH server's hub lists the same messages in every session): the rows
// are built once, their verdict columns shared (intern.go), and every
// table points at them (Table.AppendSharedRows) rather than building its
// own, which at 100,000 messages would cost each session about 30 MB.
// The owner of the messages keeps the rows, not the messages. A
// RowBuilder is safe for concurrent use.
type RowBuilder struct {
	mu sync.Mutex
	in interner
	// slab is where RowOf places rows, rowSlab at a time: one object
	// a row would be 100,000 more for the collector to mark.
	slab []Row
}

// rowSlab is how many rows RowOf places in one allocation.
const rowSlab = 256

// NewRowBuilder returns a builder sharing no strings yet.
func NewRowBuilder() *RowBuilder { return &RowBuilder{} }

// Rows returns the rows of msgs. The caller must never change them.
func (b *RowBuilder) Rows(msgs []Message) []*Row {
	rows := make([]Row, len(msgs))
	out := make([]*Row, len(msgs))
	b.mu.Lock()
	defer b.mu.Unlock()
	arena := b.in.arenaFor(len(msgs))
	for i := range msgs {
		rows[i] = newRow(&msgs[i], &b.in, arena)
		out[i] = &rows[i]
	}
	return out
}

// RowOf returns m's row marked as made from the message whose sum is
// content (ContentSum), for a scan that hands its rows out one by one:
// they share the builder's arena and slabs as Rows' do, so it is for
// rows made in bulk. The caller must never change it.
func (b *RowBuilder) RowOf(m *Message, content ContentSum) *Row {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]Row, 0, rowSlab)
	}
	b.slab = append(b.slab, newRow(m, &b.in, &b.in.texts))
	r := &b.slab[len(b.slab)-1]
	r.content = content
	return r
}

// Adopt returns a copy of r placed as RowOf places rows, its text
// copied into the builder's arena: a row kept from elsewhere (ui/app's
// rows of the last list, decoded a block at a time) then holds nothing
// of where it came from, and the rest of that block can go. The caller
// must never change it.
func (b *RowBuilder) Adopt(r *Row) *Row {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]Row, 0, rowSlab)
	}
	c := *r
	if c.text != "" {
		t := b.in.texts.alloc(len(c.text))
		copy(t, c.text)
		c.text = unsafe.String(&t[0], len(t))
	}
	b.slab = append(b.slab, c)
	return &b.slab[len(b.slab)-1]
}

// Reset lets go of the verdict columns shared so far, for a listing
// replaced as a whole.
func (b *RowBuilder) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.in = interner{}
	b.slab = nil
}
