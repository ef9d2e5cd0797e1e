package model

import "sync"

// SharedRows holds one Row for each message shared between tables (the
// SSH server's hub lists the same messages in every session): the owner
// of the messages adds their rows as they arrive and forgets them as they
// leave, and every table listing them (Table.ShareRows) points at the
// same row rather than building its own, which at 100,000 messages
// would cost each session about 30 MB.
//
// Rows are keyed by the message's pointer, not its ID: a source that
// renumbers its messages may reuse an ID for another message. A
// SharedRows is safe for concurrent use.
type SharedRows struct {
	mu   sync.Mutex
	rows map[*Message]*Row
	in   interner
}

// NewSharedRows returns an empty set of rows.
func NewSharedRows() *SharedRows { return &SharedRows{rows: make(map[*Message]*Row)} }

// Add builds and keeps the rows of msgs, which must never change.
func (s *SharedRows) Add(msgs ...*Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		if _, ok := s.rows[m]; !ok {
			r := newRow(m, &s.in)
			s.rows[m] = &r
		}
	}
}

// Forget drops the rows of msgs; tables listing them keep theirs.
func (s *SharedRows) Forget(msgs ...*Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		delete(s.rows, m)
	}
}

// Reset drops every row, for a listing replaced as a whole.
func (s *SharedRows) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.rows)
	s.in = interner{}
}

// Row returns m's shared row, nil when none was added (or it was
// forgotten).
func (s *SharedRows) Row(m *Message) *Row {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows[m]
}

// rowsOf returns the shared rows of msgs, nil where there is none.
func (s *SharedRows) rowsOf(msgs []*Message) []*Row {
	out := make([]*Row, len(msgs))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range msgs {
		out[i] = s.rows[m]
	}
	return out
}

// Len returns the number of rows kept.
func (s *SharedRows) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rows)
}
