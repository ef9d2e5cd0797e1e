package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mxaudit/model"
)

// errFound stops the walk of the trash at the message looked for.
var errFound = errors.New("found")

// Untrash undoes Trash: it moves the message back from the trash area to
// where it was in the quarantine and clears the move from its state. The
// caller records the restore in the audit log.
func (c *Claim) Untrash(ctx context.Context) error {
	if c.file != "" {
		return fmt.Errorf("%s: %s is in the quarantine, not in the trash", c.q.name, c.id)
	}
	var trashed string
	err := c.q.trashFiles(ctx, func(file string, id model.MessageID) error {
		if id == c.id {
			trashed = file
			return errFound
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFound) {
		return err
	}
	if trashed == "" {
		return fmt.Errorf("%s: %s is not in the trash (purged, or never deleted): %w", c.q.name, c.id, ErrNotFound)
	}
	dst, err := moveFile(c.q.root, trashed, strings.TrimPrefix(trashed, trashArea+"/"))
	if err != nil && !errors.Is(err, ErrNotDurable) {
		return fmt.Errorf("%s: cannot move %s back from the trash: %w", c.q.name, c.id, err)
	}
	// Moved back (with a warning wrapping ErrNotDurable in err, if any).
	c.file = dst
	st := c.State()
	if st.Moved == MovedTrash {
		st.Moved, st.MovedBy, st.MovedAt = "", "", time.Time{}
	}
	if serr := c.Save(st); serr != nil {
		return fmt.Errorf("%s: %s is back in the quarantine, but %w", c.q.name, c.id, serr)
	}
	return err
}
