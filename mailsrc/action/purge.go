package action

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Purge removes for good the messages that went to the quarantine's trash
// more than olderThan ago, recording each in the audit log before calling
// progress (when not nil) with its Result. It returns the results, and an
// error when the trash could not be read at all. Only local quarantines
// have a trash area mxaudit manages; an IMAP trash mailbox is expired by
// the server (Dovecot's autoexpunge).
func (s *Service) Purge(ctx context.Context, olderThan time.Duration, progress func(Result)) ([]Result, error) {
	if olderThan <= 0 {
		return nil, errors.New("purge: the age must be positive")
	}
	if s.ledger == nil {
		return nil, fmt.Errorf("%s: purge works on directory and Maildir quarantines; expire an IMAP trash mailbox on the server", s.cfg.Source.Name())
	}
	now := s.cfg.Now().UTC()
	cutoff := now.Add(-olderThan)
	var results []Result
	s.preflight()
	if err := s.auditStopped(); err != nil {
		return nil, err
	}
	err := s.ledger.PurgeTrash(ctx, cutoff, func(p mailsrc.Purged, remove func() error) error {
		entry := model.NewAuditEntry(model.ActionPurge, s.cfg.Operator, now)
		entry.Source, entry.MessageID = s.cfg.SourceName, p.ID
		entry.Detail = fmt.Sprintf("removed from the trash for good (%d bytes); older than %s", p.Size, days(olderThan))
		if p.TrashedBy != "" {
			entry.Detail += fmt.Sprintf("; deleted by %s at %s", p.TrashedBy, stamp(p.Trashed))
		}
		if p.Err == nil {
			if err := s.intent(entry); err != nil {
				p.Err = err
			} else {
				p.Err = remove()
			}
		}
		r := s.finish(entry, p.Err)
		results = append(results, r)
		if progress != nil {
			progress(r)
		}
		if err := s.auditStopped(); err != nil {
			return err
		}
		return ctx.Err()
	})
	return results, err
}

// days words an age in days when it is a whole number of them.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day")
	}
	return d.String()
}
