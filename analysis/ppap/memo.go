package ppap

import (
	"bytes"
	"container/list"
	"context"
	"io"
	"sync"

	"mxaudit/model"
)

// MemoOpener returns an Opener that remembers the raw bytes of the last
// messages it opened, up to maxBytes in all (messages larger than a
// quarter of that are never kept). A sender's mails are candidates for
// each of its ZIP mails in the window, so pairings read the same mails
// again and again: on IMAP every read is a fetch. Safe for concurrent
// use.
func MemoOpener(open Opener, maxBytes int64) Opener {
	m := &memo{open: open, max: maxBytes, items: map[model.MessageID]*list.Element{}, order: list.New()}
	return m.openMessage
}

type memo struct {
	open  Opener
	max   int64
	mu    sync.Mutex
	size  int64
	items map[model.MessageID]*list.Element
	order *list.List // most recently used first
}

type memoItem struct {
	id  model.MessageID
	raw []byte
}

func (m *memo) openMessage(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	m.mu.Lock()
	if e, ok := m.items[id]; ok {
		m.order.MoveToFront(e)
		raw := e.Value.(*memoItem).raw
		m.mu.Unlock()
		return io.NopCloser(bytes.NewReader(raw)), nil
	}
	m.mu.Unlock()

	rc, err := m.open(ctx, id)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(rc, m.max/4+1))
	if err != nil {
		rc.Close()
		return nil, err
	}
	if int64(len(raw)) > m.max/4 {
		// Too large to keep: hand back what was read and the rest.
		return struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(raw), rc), rc}, nil
	}
	rc.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[id]; !ok {
		m.items[id] = m.order.PushFront(&memoItem{id: id, raw: raw})
		m.size += int64(len(raw))
		for m.size > m.max {
			last := m.order.Back()
			it := last.Value.(*memoItem)
			m.order.Remove(last)
			delete(m.items, it.id)
			m.size -= int64(len(it.raw))
		}
	}
	return io.NopCloser(bytes.NewReader(raw)), nil
}
