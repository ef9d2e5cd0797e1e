package model

import "sync"

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
}

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

// Reset lets go of the verdict columns shared so far, for a listing
// replaced as a whole.
func (b *RowBuilder) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.in = interner{}
}
