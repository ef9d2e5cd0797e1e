package imap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// idleRefresh is how long one IDLE lasts before it is renewed: a renewal
// that fails reveals a connection that died without a word (NAT timeout,
// unplugged cable), which a silent IDLE would hide for up to 28 minutes.
const idleRefresh = 5 * time.Minute

// Watch implements mailsrc.Watcher on a connection of its own (IDLE blocks
// a connection). It uses IDLE when the server offers it and NOOP every
// Config.PollInterval otherwise. On any EXISTS or EXPUNGE it compares the
// mailbox's UIDs with those it knows and reports the difference: Added,
// then Removed with a note (another operator acted — news, not an error).
// It starts from the last complete listing, so messages that arrived
// between List and Watch are reported. A changed UIDVALIDITY is reported
// as Reload; after it, Added may name messages the caller's new listing
// already has: dedupe by ID. A dropped connection is re-established with
// backoff and the mailbox compared again, so nothing is missed meanwhile.
func (s *Source) Watch(ctx context.Context, fn func(mailsrc.Change)) error {
	poke := make(chan struct{}, 1)
	signal := func() {
		select {
		case poke <- struct{}{}:
		default:
		}
	}
	handler := &imapclient.UnilateralDataHandler{
		Expunge: func(uint32) { signal() },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				signal()
			}
		},
	}
	sess := newSession(s, true, handler)
	defer sess.close()

	base := s.getBaseline()
	w := &watcher{src: s, fn: fn, validity: base.validity, known: base.uids, haveBase: base.validity != 0}
	for {
		err := s.run(ctx, sess, func(cn conn) error { return w.loop(ctx, cn, poke) }, func() int { return w.compares })
		if errors.Is(err, ErrUIDValidityChanged) {
			w.reload()
			continue
		}
		return err
	}
}

// watcher is the state of one Watch call.
type watcher struct {
	src      *Source
	fn       func(mailsrc.Change)
	validity uint32
	known    []goimap.UID // ascending
	haveBase bool
	compares int // successful comparisons, the progress that resets backoff
}

func (w *watcher) reload() {
	w.known, w.haveBase, w.validity = nil, false, 0
	w.fn(mailsrc.Change{Kind: mailsrc.Reload, Note: "the mailbox was recreated or renumbered (UIDVALIDITY changed): reloading"})
}

// loop compares once, then waits for news and compares again, until ctx
// is done or the connection fails.
func (w *watcher) loop(ctx context.Context, cn conn, poke chan struct{}) error {
	if w.validity != 0 && cn.validity != w.validity {
		w.reload()
	}
	w.validity = cn.validity
	if err := w.compare(cn); err != nil {
		return err
	}
	idle := cn.c.Caps().Has(goimap.CapIdle)
	for {
		if idle {
			cmd, err := cn.c.Idle()
			if err != nil {
				return err
			}
			timer := time.NewTimer(idleRefresh)
			select {
			case <-poke:
			case <-timer.C:
			case <-ctx.Done():
			case <-cn.c.Closed():
			}
			timer.Stop()
			if err := cmd.Close(); err != nil {
				return err
			}
			if err := cmd.Wait(); err != nil {
				return err
			}
		} else {
			timer := time.NewTimer(w.src.cfg.PollInterval)
			select {
			case <-poke:
			case <-timer.C:
			case <-ctx.Done():
			}
			timer.Stop()
			if ctx.Err() == nil {
				if err := cn.c.Noop().Wait(); err != nil {
					return err
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		select { // news that came with the NOOP or DONE is compared now
		case <-poke:
		default:
		}
		if err := w.compare(cn); err != nil {
			return err
		}
	}
}

// compare lists the mailbox's UIDs and reports what changed.
func (w *watcher) compare(cn conn) error {
	now, err := searchUIDs(cn.c, 1)
	if err != nil {
		return err
	}
	slices.Sort(now)
	if !w.haveBase {
		w.known, w.haveBase = now, true
		return nil
	}
	w.compares++
	added, removed := diffUIDs(w.known, now)
	w.known = now
	if len(removed) > 0 {
		note := fmt.Sprintf("%d message(s) vanished from %s (another operator released or deleted them)", len(removed), w.src.ep.mailbox)
		w.src.cfg.Logf("imap: %s", note)
		w.fn(mailsrc.Change{Kind: mailsrc.Removed, IDs: w.ids(removed), Note: note})
	}
	if len(added) > 0 {
		w.fn(mailsrc.Change{Kind: mailsrc.Added, IDs: w.ids(added), Note: fmt.Sprintf("%d new message(s)", len(added))})
	}
	return nil
}

func (w *watcher) ids(uids []goimap.UID) []model.MessageID {
	out := make([]model.MessageID, len(uids))
	for i, u := range uids {
		out[i] = formatID(w.validity, u)
	}
	return out
}

// diffUIDs compares two ascending lists.
func diffUIDs(old, now []goimap.UID) (added, removed []goimap.UID) {
	i, j := 0, 0
	for i < len(old) || j < len(now) {
		switch {
		case j == len(now) || (i < len(old) && old[i] < now[j]):
			removed = append(removed, old[i])
			i++
		case i == len(old) || now[j] < old[i]:
			added = append(added, now[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}
