package mailsrc

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"time"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// purgeTrash is Ledger.PurgeTrash for a local quarantine.
func (q *localQuarantine) purgeTrash(ctx context.Context, cutoff time.Time, fn func(Purged, func() error) error) error {
	if _, err := q.root.Stat(trashArea); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return q.trashFiles(ctx, func(file string, id model.MessageID) error {
		return q.purgeOne(ctx, file, id, cutoff, fn)
	})
}

// purgeOne offers one trashed file to fn, under the quarantine's lock,
// when it went to the trash before cutoff: fn records the intent, calls
// remove, and records the outcome. The lock is held throughout, so that
// an operator restoring the message at that moment is not surprised.
func (q *localQuarantine) purgeOne(ctx context.Context, file string, id model.MessageID, cutoff time.Time,
	fn func(Purged, func() error) error) error {
	p := Purged{ID: id}
	info, err := q.root.Lstat(file)
	if err != nil {
		p.Err = err
		return fn(p, nil)
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	p.Size, p.Trashed = info.Size(), info.ModTime()
	lctx, cancel := context.WithTimeout(ctx, claimTimeout)
	defer cancel()
	lock, err := fsx.OpenLockedIn(lctx, q.root, lockFile)
	if err != nil {
		p.Err = err
		return fn(p, nil)
	}
	defer lock.Close()
	st, err := q.readState(id)
	if err != nil {
		p.Err = err
		return fn(p, nil)
	}
	if st.Moved == MovedTrash {
		p.Trashed, p.TrashedBy = st.MovedAt, st.MovedBy
	}
	if !p.Trashed.Before(cutoff) {
		return nil
	}
	remove := func() error {
		if err := q.root.Remove(file); err != nil {
			return err
		}
		if err := fsx.SyncDirIn(q.root, path.Dir(file)); err != nil {
			return err
		}
		// The state goes with the message unless it still records
		// deliveries: those must keep a restored copy from going out
		// twice.
		if st.Moved == MovedTrash && len(st.Releases) == 0 {
			if err := q.root.Remove(stateName(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	return fn(p, remove)
}
