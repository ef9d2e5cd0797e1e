package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// errListChanged is a message read back that is not what its row says:
// the cache was rewritten (compacted, rebuilt, or another run of
// mxaudit with other pairing settings wrote its own outcome) or the file
// changed since the list was read.
var errListChanged = errors.New("the analysis cache or the message changed since the list was read: scan again (ctrl+r) to read it")

// Message reads back whole a message whose row the last ScanRows handed
// out from a row snapshot: the cached result the scan snapshot names,
// as the scan would have emitted it. ErrNotSpilled when that scan listed
// no such message (or handed out messages, not rows). It fails closed:
// a message is given only as its row was listed (the verdicts, flags and
// ranks an action decides on), never another run's outcome or another
// record found under the same key.
func (a *App) Message(ctx context.Context, id model.MessageID) (model.Message, error) {
	rr := a.lastRowReplay()
	if rr == nil {
		return model.Message{}, ErrNotSpilled
	}
	s, listed, ok, err := rr.slot(id)
	switch {
	case err != nil:
		return model.Message{}, fmt.Errorf("%s: %w", id, err)
	case !ok:
		return model.Message{}, ErrNotSpilled
	}
	var m model.Message
	if raw, ok := rr.resumed[id]; ok {
		// Paired from the snapshot's tail (its row was made of this,
		// before a row analysed afresh: newRowReplay), and decoded anew
		// at each read: a copy of its own.
		m = model.Message{ID: id, Encoded: &model.Encoded{JSON: raw}}
		if err := m.Materialize(); err != nil {
			return model.Message{}, fmt.Errorf("%s: %w", id, errListChanged)
		}
	} else if e, ok := rr.fresh[id]; ok {
		an := rr.an
		if an == nil {
			an = a.analyzer
		}
		m = scan.Analyse(ctx, a.src, an, e)
		m.PairingText = nil
	} else {
		key := scan.StampKey(s.sum)
		if s.changed {
			key = changedKey(id)
		}
		var err error
		if m, err = store.ReadRef(rr.cachePath, key, s.ref); errors.Is(err, store.ErrRefGone) {
			return model.Message{}, fmt.Errorf("%s: %w", id, errListChanged)
		} else if err != nil {
			return model.Message{}, fmt.Errorf("%s: %w", id, err)
		}
	}
	if m.ID != id || !sameRow(&m, listed) {
		// The kept list holds a row this mxaudit does not make of the
		// message it lists (kept by a build whose rows were named alike,
		// rowMaker, but made otherwise; or the cache changed): the scan
		// again must make its rows anew rather than hand the list out
		// once more, and keep its own.
		_ = os.Remove(rowsPath(rr.cachePath))
		return model.Message{}, fmt.Errorf("%s: %w", id, errListChanged)
	}
	return m, nil
}

// sameRow reports whether m's row is the row listed, but for the
// exception (policy state, which the console applies to both). The
// listed row's content sum is taken as it is: the row is checked, not
// the bytes, which an analysis made anew (rowReplay.fresh) may encode
// otherwise with the same row (model.ContentSum).
func sameRow(m *model.Message, listed *model.Row) bool {
	r := model.NewRowOf(m, listed.Content())
	return bytes.Equal(new(model.RowEncoder).Append(nil, &r), new(model.RowEncoder).Append(nil, listed))
}
