package mailsrc

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"mxaudit/model"
)

// statChunk is how many files a worker stats before the reporter may send
// them on: small enough for the first entries to come early, large enough
// to keep the hand-over cheap.
const statChunk = 256

// statAhead is how many chunks the workers may have read beyond the one
// being reported: enough to keep them busy while fn is slow, few enough
// that the entries waiting for fn stay a few thousand whatever the size
// of the Maildir (fn is the scan, which waits for its analysis workers).
const statAhead = 8

// statAndReport reads the metadata of the listed files on a few goroutines,
// chunk by chunk, and calls fn for them in the listed order. Files that
// vanished or stopped being regular files since their folder was read are
// left out; one renamed meanwhile (new flags) is found again. Files whose
// folder gave their inode number need no metadata (statListed).
func (m *Maildir) statAndReport(ctx context.Context, found *maildirIndex, fn func(Entry) error) error {
	total := found.len()
	chunks := (total + statChunk - 1) / statChunk
	// A worker takes a token before it claims a chunk, and the reporter
	// gives it back once the chunk is reported: at most statAhead chunks
	// are claimed and not yet reported, so chunk c's results can wait in
	// ready[c%statAhead] (with an entry ID "" marking a file left out).
	tokens := make(chan struct{}, statAhead)
	ready := make([]chan []Entry, statAhead)
	for i := range ready {
		ready[i] = make(chan []Entry, 1)
	}
	work, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop() // runs before wg.Wait: workers see it and return
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), 8, chunks) {
		wg.Go(func() {
			for {
				select {
				case tokens <- struct{}{}:
				case <-work.Done():
					return
				}
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				ready[c%statAhead] <- m.statRange(work, found, c*statChunk, min((c+1)*statChunk, total))
			}
		})
	}
	for c := range chunks {
		var entries []Entry
		select {
		case entries = <-ready[c%statAhead]:
		case <-ctx.Done():
			return ctx.Err()
		}
		// A worker cuts its chunk short when ctx is cancelled, and may
		// hand over an empty one: a listing that saw it is incomplete
		// and must not end in nil (the scan prunes the cache only after
		// a complete listing).
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, e := range entries {
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
		<-tokens
	}
	return ctx.Err()
}

// statRange returns the entries of the listed files from to to
// (statListed), in order, but for the last ones when ctx is cancelled.
// Those whose folder gave their inode number share two strings, one of
// their IDs and one of their stamps, rather than take two each: at
// 100,000 messages, making and copying one string a file and formatting
// another took 30 ms of a warm start's listing. (Two, not one: a scan
// keeps the IDs, not the stamps.)
func (m *Maildir) statRange(ctx context.Context, found *maildirIndex, from, to int) []Entry {
	idsLen, stampsLen := 0, 0
	for i := from; i < to; i++ {
		if r := found.slots[i]; found.ino(r) != 0 {
			idsLen, stampsLen = idsLen+len(found.id(r)), stampsLen+inoStampLen(found.ino(r))
		}
	}
	ids, stamps := make([]byte, 0, idsLen), make([]byte, 0, stampsLen)
	for i := from; i < to; i++ {
		if r := found.slots[i]; found.ino(r) != 0 {
			ids = append(ids, found.id(r)...)
			stamps = appendInoStamp(stamps, found.ino(r))
		}
	}
	idText, stampText := string(ids), string(stamps)
	entries := make([]Entry, 0, to-from)
	for i := from; i < to && ctx.Err() == nil; i++ {
		r := found.slots[i]
		ino := found.ino(r)
		if ino == 0 {
			entries = append(entries, m.statListed(ctx, found.at(i)))
			continue
		}
		idLen, stampLen := len(found.id(r)), inoStampLen(ino)
		entries = append(entries, Entry{ID: model.MessageID(idText[:idLen]), Stamp: stampText[:stampLen]})
		idText, stampText = idText[idLen:], stampText[stampLen:]
	}
	return entries
}

// statListed returns the entry of one listed file, or an entry with an
// empty ID when the message is gone or its name is not a message file.
//
// A file whose folder gave its inode number is not stat'ed at all: its
// stamp is that number (see Maildir.List). Otherwise the folder's root
// (maildirfolders.go) makes the stat one fstatat of a bare name.
func (m *Maildir) statListed(ctx context.Context, l maildirListed) Entry {
	if l.ino != 0 {
		return Entry{ID: l.id, Stamp: inoStamp(l.ino)}
	}
	var info os.FileInfo
	err := os.ErrNotExist
	if r := m.folder(l.file.sub); r != nil {
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
	if m.listing == nil && m.places == nil {
		return // no listing to correct: Open resolves every time
	}
	if m.moved == nil {
		m.moved = map[model.MessageID]maildirFile{}
	}
	m.moved[id] = file
}

// inoStamp is the stamp of a Maildir file whose folder gave its inode
// number: with the message's unique name (its ID, which a stamp key holds
// too), the inode names one delivered file. A Maildir message is written
// once, in tmp/, and then only renamed, so the bytes stay those analysed.
// Rewriting the file in place, which mail software does not do, is not
// seen; replacing it (another file renamed over it, as editors and sed -i
// do) is, by its new inode. An action that delivers the bytes compares
// them with the SHA-256 of those analysed, so a stale verdict cannot let
// other bytes out.
func inoStamp(ino uint64) string { return string(appendInoStamp(nil, ino)) }

// inoStampLen is len(inoStamp(ino)).
func inoStampLen(ino uint64) int {
	n := 2 // "i" and the last digit
	for ; ino >= 10; ino /= 10 {
		n++
	}
	return n
}

// appendInoStamp appends inoStamp(ino) to b.
func appendInoStamp(b []byte, ino uint64) []byte { return strconv.AppendUint(append(b, 'i'), ino, 10) }
