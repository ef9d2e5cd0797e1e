package mailsrc

import (
	"context"

	"mxaudit/model"
)

// ChangeKind says what happened to a source while it was watched.
type ChangeKind int

// Kinds of change a Watcher reports.
const (
	// Added: messages arrived; list them with their IDs.
	Added ChangeKind = iota + 1
	// Removed: messages disappeared (another operator released or deleted
	// them, or an expiry job ran). This is news, not an error.
	Removed
	// Reload: the source's identity changed (IMAP UIDVALIDITY) and every ID
	// handed out before is void: drop the list and list again. A source
	// that reloads must not hand out again an ID it handed out before
	// (IMAP's carry UIDVALIDITY): the console forgets its kept copies on
	// a reload, but an analysis already under way could still keep one
	// under a reused ID.
	Reload
)

// String names the kind for logs.
func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Reload:
		return "reload"
	}
	return "unknown"
}

// Change is one event of a watched source.
type Change struct {
	Kind ChangeKind
	// IDs are the messages concerned; empty for Reload.
	IDs []model.MessageID
	// Note is a sentence for the operator ("2 messages vanished from the
	// folder"); it may be empty.
	Note string
	// Done says, for Removed, what took the messages when that is known
	// ("released by sato"): "mxaudit serve" knows it for its own
	// operators' actions; a source never does.
	Done string
}

// Watcher is an optional interface of a Source that can report changes as
// they happen.
type Watcher interface {
	// Watch calls fn for every change until ctx is done, then returns
	// ctx.Err(). It returns earlier only when the source can no longer be
	// reached after its own retries. fn is called from one goroutine, in
	// order; it should return quickly.
	Watch(ctx context.Context, fn func(Change)) error
}
