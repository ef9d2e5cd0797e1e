package app

import (
	"bytes"
	"encoding/json"
	"math"

	"mxaudit/model"
	"mxaudit/model/store"
)

// snapshotAhead is the cache's scan snapshot as a warm scan reads it:
// decoded, and its changed messages' records looked up, on a goroutine
// of its own while the listing is taken and digested, which needs only
// the snapshot's count. At 100,000 messages the snapshot is 1.8 MB of
// JSON naming 19,000 changed messages, 40-70 ms of decoding and lookups
// that the first rows of a warm start waited for.
type snapshotAhead struct {
	// count is the snapshot's count as read ahead of the decoding
	// (snapshotCount): a bound and a size hint for the listing, never
	// trusted for anything else.
	count int
	done  chan struct{}
	// Set before done is closed.
	snap    scanSnapshot
	changed map[model.MessageID]replacement // replacements
	ok      bool
}

// readSnapshotAhead starts reading the cache's snapshot; false when
// there is none. The caller waits for it (wait) before it closes c.
func readSnapshotAhead(c *store.Cache) (*snapshotAhead, bool) {
	raw, ok := c.GetRecord(snapshotKey)
	if !ok {
		return nil, false
	}
	s := &snapshotAhead{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if s.snap, s.ok = decodeSnapshot(raw); s.ok {
			s.changed, s.ok = s.snap.replacements(c)
			// changed holds the list now, by ID: the list itself was
			// 13 MB at a million messages, kept to the replay's end.
			s.snap.Changed = nil
		}
	}()
	if s.count, ok = snapshotCount(raw); !ok {
		// Not laid out as we write it: the decoding says what it holds.
		if _, _, ok := s.wait(); !ok {
			return nil, false
		}
		s.count = s.snap.Count
	}
	return s, true
}

// wait returns the decoded snapshot, without its list of changed
// messages, and their replacements by ID (replacements),
// false when it cannot be replayed whatever the listing.
func (s *snapshotAhead) wait() (scanSnapshot, map[model.MessageID]replacement, bool) {
	<-s.done
	return s.snap, s.changed, s.ok
}

// snapshotCount reads the count of the snapshot raw without decoding the
// rest: the fields before it are scalars (scanSnapshot's order, which
// encoding/json keeps), read token by token. False when another field
// comes first, or the count is not a count.
func snapshotCount(raw []byte) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, false
		}
		val, err := dec.Token()
		if err != nil {
			return 0, false
		}
		if key == "count" {
			n, ok := val.(json.Number)
			if !ok {
				return 0, false
			}
			count, err := n.Int64()
			if err != nil || count < 0 || count > math.MaxInt32 {
				return 0, false
			}
			return int(count), true
		}
		if _, nested := val.(json.Delim); nested {
			return 0, false
		}
	}
	return 0, false
}
