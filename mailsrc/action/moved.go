package action

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// releaseMoved releases one message of a source that keeps no release
// state (IMAP). With a relay or delivery Maildir configured the message
// is moved to the release mailbox and then delivered from the bytes read
// before the move; without, the move is the release.
//
// A bare IMAP MOVE is no claim (measured against Dovecot, two sessions
// moving the same UID at once both succeed), so the IMAP source claims the
// message with a keyword of its own first (imap.ClaimPrefix) and exactly
// one operator wins, on any host; the loser gets mailsrc.ErrClaimed. The lock file beside the
// audit log (shared by a team, see docs/exceptions.md), held from the
// existence check to the audit record, still orders operators on one
// host, so that the loser can read who released the message.
func (s *Service) releaseMoved(ctx context.Context, req Request, m *model.Message, analysed string, policy *model.Policy, d deliverer) Result {
	now := s.cfg.Now().UTC()
	entry := model.NewMessageEntry(model.ActionRelease, s.cfg.Operator, now, s.cfg.SourceName, m)
	unlock, err := s.lockSource(ctx)
	if err != nil {
		return s.finish(entry, err)
	}
	defer unlock()
	return s.finish(entry, s.releaseMovedLocked(ctx, req, m, analysed, policy, d, now, &entry))
}

func (s *Service) releaseMovedLocked(ctx context.Context, req Request, m *model.Message, analysed string, policy *model.Policy, d deliverer,
	now time.Time, entry *model.AuditEntry) error {
	rc, err := s.cfg.Source.Open(ctx, m.ID)
	if errors.Is(err, mailsrc.ErrNotFound) {
		return s.goneErr(m.ID, mailsrc.ReleaseState{})
	}
	if err != nil {
		return err
	}
	// The bytes read before the move are the ones delivered after it:
	// spooled to a private temporary file, not held in memory, and hashed
	// on the way in (and checked again on the way out, body.reader).
	spool, msg, err := spoolMessage(rc)
	if err != nil {
		return fmt.Errorf("cannot read the message: %w", err)
	}
	defer spool.Close()
	if d == nil && (req.To != nil || len(req.CopyTo) > 0) {
		return refused("refused: choosing recipients or sending copies needs an SMTP relay (relay) or a delivery Maildir (deliver_maildir)")
	}
	spooled := body{open: func() (io.ReadCloser, error) { return spool.Reader(), nil }, size: msg.size, sha256: msg.sum}
	it, err := s.prepareRelease(req, m, analysed, policy, mailsrc.ReleaseState{ID: m.ID}, msg, spooled, now, entry)
	if err != nil {
		return err
	}
	if err := s.intent(*entry); err != nil {
		return err
	}
	if err := s.mover.Release(ctx, m.ID, s.cfg.ReleaseMailbox); err != nil {
		if errors.Is(err, mailsrc.ErrNotFound) {
			err = s.goneOrClaimed(m.ID, mailsrc.ReleaseState{}, err)
		}
		return err
	}
	if d != nil {
		rcpts := append(append([]string(nil), it.Recipients...), it.Copies...)
		if derr := d.deliver(ctx, it.Sender, rcpts, it.body); derr != nil {
			return fmt.Errorf("moved to the release mailbox, but the delivery failed: %w", derr)
		}
	}
	if it.Decision.Exception != nil {
		if herr := s.cfg.Policy.RecordHit(it.Decision.Exception.ID, now); herr != nil {
			entry.Detail += "; the exception's hit could not be counted: " + herr.Error()
		}
	}
	return nil
}

// lockSource takes the lock that orders the operators acting on a source
// without a ledger; the returned function releases it.
func (s *Service) lockSource(ctx context.Context) (func(), error) {
	sum := sha256.Sum256([]byte(model.RedactSource(s.cfg.SourceName)))
	path := filepath.Join(filepath.Dir(s.cfg.Audit.Path()), ".actions-"+hex.EncodeToString(sum[:8])+".lock")
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	f, err := fsx.OpenLocked(ctx, path)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// lockTimeout bounds the wait for another operator's action on the same
// IMAP message: a move and a delivery.
const lockTimeout = 2 * time.Minute
