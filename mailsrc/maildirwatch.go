package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"mxaudit/model"
)

// What a PollWatcher needs of a Maildir is cheaper than a listing: which
// messages are there (not their sizes: a delivery appears whole, by a
// rename), and whether anything can have changed at all since the last
// look. At 100,000 messages a listing is 100,000 lstat calls, about
// 0.7 s of CPU; the two calls here are a directory read, and two stats.

// ListIDs calls fn with the ID of every message in new/ and cur/, in no
// particular order and possibly twice (a message that a client moves
// while the folders are read), without a system call per file: the
// entries' types come with the names. It leaves out what List leaves
// out: hidden names, folders and links. The watcher reads the same names
// without making a string of each (listIDBytes).
func (m *Maildir) ListIDs(ctx context.Context, fn func(model.MessageID) error) error {
	return m.listIDBytes(ctx, func(id []byte) error { return fn(model.MessageID(id)) })
}

// listIDBytes is ListIDs with each ID as bytes of the folder's buffer,
// valid only for the call: a watch hashes a million of them
// (pollwatch_whole.go) and keeps almost none.
func (m *Maildir) listIDBytes(ctx context.Context, fn func(id []byte) error) error {
	for _, sub := range maildirSubdirs {
		if err := m.readFolder(ctx, sub, func(e dirent) error { return fn(e.name[:maildirIDLen(e.name)]) }); err != nil {
			return err
		}
	}
	// The watcher's listings are the only ones while a console is open:
	// a replaced folder must not be read through its old root until the
	// next scan (maildirfolders.go).
	m.refreshFolders()
	return nil
}

// folderSettle is how old a folder's last change must be before its
// times can vouch that nothing changed since. A file system stores times
// to its own grain (a kernel's coarse clock tick; one second on some, two
// on FAT), so a delivery in the same grain as the look before it could
// leave the folder's times as they were.
const folderSettle = 3 * time.Second

// ChangeStamp returns what changes whenever a message is added to,
// removed from or renamed in new/ or cur/: each folder's identity, size,
// modification and status-change times. settled reports whether the
// stamp can be trusted to change at the next change: false while a
// folder changed less than settle before now (see folderSettle), or
// claims a time after now.
func (m *Maildir) ChangeStamp(now time.Time, settle time.Duration) (stamp string, settled bool, err error) {
	var b strings.Builder
	settled = true
	for _, sub := range maildirSubdirs {
		info, err := m.root.Stat(sub)
		if errors.Is(err, fs.ErrNotExist) {
			b.WriteString(sub + ":absent;")
			continue
		}
		if err != nil {
			return "", false, fmt.Errorf("cannot read %s: %w", m.Name(), err)
		}
		if !writeFolderStamp(&b, sub, info, now, settle) {
			settled = false
		}
	}
	return b.String(), settled, nil
}

// writeFolderStamp writes the change stamp of folder name to b: its
// identity, size, modification and status-change times. It reports
// whether those times can vouch for the next change: the folder's last
// change is at least settle before now, and not after it.
func writeFolderStamp(b *strings.Builder, name string, info fs.FileInfo, now time.Time, settle time.Duration) (settled bool) {
	changed := latestChange(info)
	b.WriteString(strconv.Quote(name))
	b.WriteString(":" + fileID(info) + "/" + strconv.FormatInt(info.Size(), 10) + "/" +
		strconv.FormatInt(info.ModTime().UnixNano(), 10) + "/" + strconv.FormatInt(changed.UnixNano(), 10) + ";")
	return !changed.After(now) && now.Sub(changed) >= settle
}
