package mailsrc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mxaudit/model/store/fsx"
	"os"
	"path"
	"time"

	"mxaudit/model"
)

// The areas of a local quarantine. Both start with '.', so listings skip
// them; in a Maildir they are Maildir++ folders ("released", "trash"),
// which an IMAP server on the same Maildir shows as mailboxes.
const (
	releasedArea = ".released"
	trashArea    = ".trash"
	stateDir     = releasedArea + "/.state"
	lockFile     = releasedArea + "/.lock"
)

// claimTimeout bounds the wait for another operator's step on the same
// quarantine. Steps are file operations of milliseconds; the SMTP
// delivery happens outside the lock.
const claimTimeout = 15 * time.Second

// localQuarantine is the action machinery shared by Dir and Maildir: the
// lock, the per-message state, and the moves into the released and trash
// areas. The two differ only in how a message's file is found and how
// the trash is listed.
type localQuarantine struct {
	root *os.Root
	name string
	// locate returns the root-relative path of message id's file, or ""
	// when the quarantine does not hold it (any more).
	locate func(ctx context.Context, id model.MessageID) (string, error)
	// areaPath returns where a file of the quarantine goes in an area.
	areaPath func(area, file string) string
	// trashFiles calls fn with each message file in the trash and its ID.
	trashFiles func(ctx context.Context, fn func(file string, id model.MessageID) error) error
	// prepareArea creates what an area needs before the first move into
	// it (a Maildir folder's cur/, new/ and tmp/).
	prepareArea func(area string) error
}

// stateName is the file holding message id's state. IDs may be paths, so
// the name is a digest; the ID itself is inside.
func stateName(id model.MessageID) string {
	sum := sha256.Sum256([]byte(id))
	return path.Join(stateDir, hex.EncodeToString(sum[:16])+".json")
}

// claim takes the quarantine's lock and reads message id's state.
func (q *localQuarantine) claim(ctx context.Context, id model.MessageID) (*Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := mkdirAllSynced(q.root, stateDir); err != nil {
		return nil, fmt.Errorf("%s: cannot create the state folder: %w", q.name, err)
	}
	lctx, cancel := context.WithTimeout(ctx, claimTimeout)
	defer cancel()
	lock, err := fsx.OpenLockedIn(lctx, q.root, lockFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.name, err)
	}
	c := &Claim{q: q, lock: lock, id: id}
	fail := func(err error) (*Claim, error) {
		c.Close()
		return nil, err
	}
	if c.state, err = q.readState(id); err != nil {
		return fail(err)
	}
	if c.file, err = q.locate(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
		return fail(err)
	}
	return c, nil
}

// readState reads message id's state; a message never acted on has an
// empty one.
func (q *localQuarantine) readState(id model.MessageID) (ReleaseState, error) {
	st := ReleaseState{ID: id}
	data, err := q.root.ReadFile(stateName(id))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("%s: release state of %s: %w", q.name, id, err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("%s: release state of %s (%s) is damaged: %v", q.name, id, stateName(id), err)
	}
	if st.ID != id {
		return st, fmt.Errorf("%s: release state %s names message %q, not %q", q.name, stateName(id), st.ID, id)
	}
	return st, nil
}

// Claim is one step of an action on one message, holding the
// quarantine's lock (see Ledger.Claim). Its methods are for the goroutine
// that made it; Close it promptly.
type Claim struct {
	q     *localQuarantine
	id    model.MessageID
	state ReleaseState
	// file is where the message is in the quarantine, "" when it is gone.
	file string
	lock *os.File
	// undo, after a move, puts the message and its state back (Undo).
	undo func() error
}

// State returns the message's state as read under the lock (a copy: use
// Save to change it).
func (c *Claim) State() ReleaseState {
	st := c.state
	st.Releases = append([]ReleaseRecord(nil), c.state.Releases...)
	return st
}

// Present reports whether the message is still in the quarantine.
func (c *Claim) Present() bool { return c.file != "" }

// Open returns the message's raw bytes, as Source.Open does.
func (c *Claim) Open() (io.ReadCloser, error) {
	if c.file == "" {
		return nil, notFound(c.id)
	}
	f, err := openInRoot(c.q.root, c.file, c.id)
	if err != nil {
		return nil, err
	}
	return openMessage(f, c.id)
}

// Save replaces the message's state, atomically and durably.
func (c *Claim) Save(st ReleaseState) error {
	if c.lock == nil {
		return errors.New("release state: the claim is closed")
	}
	st.ID = c.id
	data, err := json.MarshalIndent(&st, "", "  ")
	if err != nil {
		return err
	}
	if err := fsx.WriteFileIn(c.q.root, stateName(c.id), append(data, '\n'), 0o600, fsx.Ops{BeforeRename: func() error { return step("state-written") }}); err != nil {
		return fmt.Errorf("%s: cannot record the release state of %s: %w", c.q.name, c.id, err)
	}
	c.state = st
	return nil
}

// Stage replaces the state without writing it: the next Save, Archive or
// Trash writes it, so that a release confirmed and filed away in one step
// costs one state write, not two.
func (c *Claim) Stage(st ReleaseState) {
	st.ID = c.id
	c.state = st
}

// Archive moves the message to the quarantine's released area, after
// recording in its state who did it and when.
func (c *Claim) Archive(by string, at time.Time) error {
	return c.moveTo(releasedArea, MovedReleased, by, at)
}

// Trash moves the message to the quarantine's trash area, after
// recording in its state who did it and when; PurgeTrash removes it for
// good later.
func (c *Claim) Trash(by string, at time.Time) error {
	return c.moveTo(trashArea, MovedTrash, by, at)
}

// moveTo records the move in the state, then moves the file. The state
// goes first, so that once the file is gone anyone can tell where it went
// and who moved it; a crash between the two leaves the file in the
// quarantine, where it is found again (Present wins over the state).
func (c *Claim) moveTo(area, moved, by string, at time.Time) error {
	if c.file == "" {
		return notFound(c.id)
	}
	if err := c.q.prepareArea(area); err != nil {
		return fmt.Errorf("%s: cannot create %s: %w", c.q.name, area, err)
	}
	st := c.State()
	st.Moved, st.MovedBy, st.MovedAt = moved, by, at.UTC()
	if err := c.Save(st); err != nil {
		return err
	}
	if err := step("state-saved"); err != nil {
		return err
	}
	from, prev := c.file, c.state
	prev.Moved, prev.MovedBy, prev.MovedAt = "", "", time.Time{}
	to, err := moveFile(c.q.root, c.file, c.q.areaPath(area, c.file))
	warning := err
	if err != nil && !errors.Is(err, ErrNotDurable) {
		return fmt.Errorf("%s: cannot move %s to %s: %w", c.q.name, c.id, area, err)
	}
	// Moved (perhaps not durably: warning wraps ErrNotDurable then).
	c.file = ""
	c.undo = func() error {
		back, err := moveFile(c.q.root, to, from)
		if err != nil && !errors.Is(err, ErrNotDurable) {
			return fmt.Errorf("%s: cannot move %s back from %s: %w", c.q.name, c.id, area, err)
		}
		c.file = back
		if serr := c.Save(prev); serr != nil {
			return fmt.Errorf("%s: %s is back, but %w", c.q.name, c.id, serr)
		}
		return err
	}
	if warning != nil {
		return fmt.Errorf("%s: %s moved to %s: %w", c.q.name, c.id, area, warning)
	}
	return nil
}

// Undo puts back the message this claim just moved (Trash, Archive), and
// its state as it was: for a delete whose audit record could not be
// written, which must not stay done.
func (c *Claim) Undo() error {
	if c.undo == nil {
		return errors.New("release state: nothing to undo")
	}
	if c.lock == nil {
		return errors.New("release state: the claim is closed")
	}
	err := c.undo()
	c.undo = nil
	return err
}

// Close releases the lock.
func (c *Claim) Close() error {
	if c.lock == nil {
		return nil
	}
	err := c.lock.Close() // closing the file releases the flock
	c.lock = nil
	return err
}

// release is Mover.Release for a local quarantine: the message moves to
// the released area. Delivering it is the caller's business (package
// action); this only files it away.
func (q *localQuarantine) release(ctx context.Context, id model.MessageID, dest, by string) error {
	if dest != "" && dest != releasedArea {
		return fmt.Errorf("%s: messages are released into %s, not %q", q.name, releasedArea, dest)
	}
	return q.move(ctx, id, by, (*Claim).Archive)
}

// delete is Mover.Delete for a local quarantine: the message moves to
// the trash area.
func (q *localQuarantine) delete(ctx context.Context, id model.MessageID, by string) error {
	return q.move(ctx, id, by, (*Claim).Trash)
}

func (q *localQuarantine) move(ctx context.Context, id model.MessageID, by string, do func(*Claim, string, time.Time) error) error {
	c, err := q.claim(ctx, id)
	if err != nil {
		return err
	}
	defer c.Close()
	if !c.Present() {
		return goneError(id, c.state)
	}
	return do(c, by, time.Now())
}

// goneError says where a message that is no longer in the quarantine
// went, wrapping ErrNotFound.
func goneError(id model.MessageID, st ReleaseState) error {
	if st.Moved == "" {
		return notFound(id)
	}
	what := "released"
	if st.Moved == MovedTrash {
		what = "deleted"
	}
	return fmt.Errorf("%q: %w: already %s by %s at %s", string(id), ErrNotFound, what, st.MovedBy,
		st.MovedAt.UTC().Format("2006-01-02 15:04 UTC"))
}
