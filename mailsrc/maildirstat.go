package mailsrc

import (
	"context"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"mxaudit/model"
)

// statChunk is how many files a worker stats before the reporter may send
// them on: small enough for the first entries to come early, large enough
// to keep the hand-over cheap.
const statChunk = 256

// statAndReport reads the metadata of the listed files on a few goroutines,
// chunk by chunk, and calls fn for them in the listed order. Files that
// vanished or stopped being regular files since their folder was read are
// left out; one renamed meanwhile (new flags) is found again.
func (m *Maildir) statAndReport(ctx context.Context, found []maildirListed, fn func(Entry) error) error {
	roots := map[string]*os.Root{}
	for _, sub := range maildirSubdirs {
		// A sub-root per folder makes each stat one fstatat of a bare name.
		if r, err := m.root.OpenRoot(sub); err == nil {
			roots[sub] = r
			defer r.Close()
		}
	}
	chunks := (len(found) + statChunk - 1) / statChunk
	entries := make([]Entry, len(found)) // ID "" marks a file left out
	done := make([]chan struct{}, chunks)
	for i := range done {
		done[i] = make(chan struct{})
	}
	work, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop() // runs before wg.Wait: workers see it and return
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), 8, chunks) {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks || work.Err() != nil {
					return
				}
				for i := c * statChunk; i < min((c+1)*statChunk, len(found)); i++ {
					entries[i] = m.statListed(work, roots, found[i])
				}
				close(done[c])
			}
		})
	}
	for c := range chunks {
		select {
		case <-done[c]:
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, e := range entries[c*statChunk : min((c+1)*statChunk, len(found))] {
			if e.ID == "" {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// statListed returns the entry of one listed file, or an entry with an
// empty ID when the message is gone or its name is not a message file.
func (m *Maildir) statListed(ctx context.Context, roots map[string]*os.Root, l maildirListed) Entry {
	var info os.FileInfo
	err := os.ErrNotExist
	if r := roots[l.file.sub]; r != nil {
		info, err = r.Lstat(l.file.name)
	}
	if isGone(err) {
		// Renamed (new flags, moved to cur/) or removed since the folder
		// was read: look for it by its unique name.
		file, rerr := m.resolve(ctx, l.id)
		if rerr != nil {
			return Entry{}
		}
		m.remember(l.id, file)
		info, err = m.root.Lstat(file.rel())
		if isGone(err) {
			return Entry{}
		}
	}
	if err != nil {
		return Entry{ID: l.id, Err: err}
	}
	if !info.Mode().IsRegular() {
		return Entry{} // a folder or a link, not a delivered message
	}
	return Entry{ID: l.id, Size: info.Size(), Received: info.ModTime(), Stamp: stampOf(info)}
}

// remember records where message id's file was last seen.
func (m *Maildir) remember(id model.MessageID, file maildirFile) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.where != nil {
		m.where[id] = file
	}
}
