package action

import (
	"context"
	"errors"

	"mxaudit/model"
)

// ErrNoTrash says the source keeps no trash a message can come back from
// (IMAP: the server's own trash folder, outside mxaudit).
var ErrNoTrash = errors.New("this source keeps no trash mxaudit can restore from")

// Restore moves deleted messages back from the trash into the
// quarantine, each under the lock and recorded in the audit log as
// "restore", the undo of a delete.
func (s *Service) Restore(ctx context.Context, ids []model.MessageID) []Result {
	out := make([]Result, 0, len(ids))
	for _, id := range ids {
		entry := model.NewMessageEntry(model.ActionRestore, s.cfg.Operator, s.cfg.Now().UTC(), s.cfg.SourceName, &model.Message{ID: id})
		if s.ledger == nil {
			out = append(out, s.finish(entry, ErrNoTrash))
			continue
		}
		c, err := s.ledger.Claim(ctx, id)
		if err != nil {
			out = append(out, s.finish(entry, err))
			continue
		}
		err = moveWarning(&entry, c.Untrash(ctx))
		if err == nil {
			if rc, oerr := c.Open(); oerr == nil {
				if sum, derr := digestOf(rc); derr == nil {
					entry.SHA256 = sum
				}
			}
		}
		c.Close()
		out = append(out, s.finish(entry, err))
	}
	return out
}
