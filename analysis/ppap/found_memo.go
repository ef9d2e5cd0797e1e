package ppap

import (
	"context"
	"strings"
	"sync"

	"mxaudit/model"
)

// foundMemo remembers the password candidates of the last mails taken
// as candidate password mails. One sender's mails are candidates for
// each of its ZIP mails in the window, so without it the same mail was
// read and parsed again for every one of them (14,112 reads of 8,433
// mails on the 20k demo quarantine). It holds at most max mails, the
// oldest forgotten first, and lives as long as its Pairer (one scan):
// the candidates are never written anywhere. Safe for concurrent use.
type foundMemo struct {
	mu    sync.Mutex
	max   int
	items map[model.MessageID][]Found
	order []model.MessageID // insertion order, oldest first
}

// foundMemoSize bounds the mails remembered: a few hundred bytes each.
const foundMemoSize = 4096

func newFoundMemo(max int) *foundMemo {
	return &foundMemo{max: max, items: make(map[model.MessageID][]Found, max)}
}

// candidates returns the password candidates of mail c: those found in
// the text the analysis kept (Ref.found), which are those of the bytes
// the Ref names; or else read back through open unless they were
// before. The caller must not change the result.
func (f *foundMemo) candidates(ctx context.Context, cfg *Config, open Opener, c *Ref) ([]Found, error) {
	if c.found != nil {
		return c.found, nil // kept by the analysis: nothing to remember
	}
	id := c.ID
	f.mu.Lock()
	found, ok := f.items[id]
	f.mu.Unlock()
	if ok {
		return found, nil
	}
	found, err := readCandidates(ctx, cfg, open, id)
	if err != nil {
		return nil, err // not remembered: the next pairing tries again
	}
	for i := range found {
		// A password is a slice of the mail's whole text, which the
		// memo must not keep alive.
		found[i].Password = strings.Clone(found[i].Password)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.items[id]; !ok {
		if len(f.order) >= f.max {
			delete(f.items, f.order[0])
			f.order[0] = ""
			f.order = f.order[1:]
		}
		f.items[id] = found
		f.order = append(f.order, id)
	}
	return found, nil
}
