package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"
	"sync"

	"mxaudit/model"
)

// Maildir is a Source over a Maildir: messages are the files in new/ and
// cur/; tmp/ holds deliveries in progress and is ignored.
//
// A message's ID is the unique part of its file name: everything before
// the first ':', which starts the Maildir "info" (":2,FLAGS") that a mail
// client rewrites when it marks a message seen or moves it from new/ to
// cur/. The ",S=size" suffix some deliverers append belongs to the unique
// part and stays in the ID. So an ID survives flag changes and the move
// out of new/. (Dovecot's optional ';' or '!' info separators are not
// recognised.)
//
// Messages are listed in delivery order: by the seconds timestamp that
// starts a standard unique name ("1700000000.M1P2.host"), then by ID.
// Names without a leading number sort last. The order does not depend on
// which of new/ and cur/ holds a message, nor on its flags.
type Maildir struct {
	path string
	root *os.Root

	mu sync.RWMutex
	// listing is the listing running, and places where the last one to
	// finish saw each message: the fast path of Open. A finished listing
	// stays in listing, names and all, where its places would be no
	// smaller (placeInfosMost), or it ended in a panic. moved holds the
	// files found again under another name since (new flags, new/ to
	// cur/). A stale place is detected on open and resolved again.
	listing *maildirIndex
	places  *maildirPlaces
	moved   map[model.MessageID]maildirFile
	// begun counts the listings begun, and installed is the number of
	// the last one whose names were installed: one that began earlier and
	// sorts its names later (a million of them, beside a poll's listing)
	// must not replace names read after its own.
	begun, installed uint64
	// folders are new/ and cur/ (maildirSubdirs' order) opened as roots
	// of their own (maildirfolders.go); retired are ones replaced since,
	// closed with the Maildir.
	folders [len(maildirSubdirs)]*os.Root
	retired []*os.Root

	// statAll makes List read every file's metadata, as on a system
	// whose folders give no inode numbers (tests set it).
	statAll bool
	// sorted, when set (tests), is called by List once it has sorted its
	// names, before it installs them.
	sorted func()
}

var _ Source = (*Maildir)(nil)

// maildirSubdirs are the folders holding messages, read in this order: a
// message that a client moves from new/ to cur/ while the listing runs is
// then seen at least once (twice at worst, which the listing folds).
var maildirSubdirs = [...]string{"new", "cur"}

// maildirFile is where a message's file was seen.
type maildirFile struct {
	sub  string // "new" or "cur"
	name string // the full file name, flags included
}

func (f maildirFile) rel() string { return f.sub + string(os.PathSeparator) + f.name }

// NewMaildir opens the Maildir at path. It fails when path cannot be opened
// or has neither a cur/ nor a new/ folder.
func NewMaildir(path string) (*Maildir, error) {
	root, err := openRoot(path)
	if err != nil {
		return nil, err
	}
	if !isMaildir(root) {
		root.Close()
		return nil, fmt.Errorf("cannot open quarantine %s: not a Maildir (no cur/ or new/ folder)", path)
	}
	return &Maildir{path: path, root: root}, nil
}

// isMaildir reports whether root has a cur/ or a new/ folder.
func isMaildir(root *os.Root) bool {
	for _, sub := range maildirSubdirs {
		if info, err := root.Stat(sub); err == nil && info.IsDir() {
			return true
		}
	}
	return false
}

// Name implements Source.
func (m *Maildir) Name() string { return "maildir " + m.path }

// maildirID returns the unique part of a Maildir file name.
func maildirID(name string) model.MessageID {
	return model.MessageID(name[:maildirIDLen(name)])
}

// maildirIDLen is the length of the ID that starts the file name name
// (see maildirID).
func maildirIDLen[Name string | []byte](name Name) int {
	for i := 0; i < len(name); i++ {
		if name[i] == ':' {
			return i
		}
	}
	return len(name)
}

// maildirStamp returns the delivery time in seconds that starts a standard
// unique name, or MaxInt64 when the name does not start with one.
func maildirStamp[Name string | []byte](name Name) int64 {
	var n int64
	i := 0
	for ; i < len(name) && i < 18 && name[i] >= '0' && name[i] <= '9'; i++ {
		n = n*10 + int64(name[i]-'0')
	}
	if i == 0 {
		return math.MaxInt64
	}
	return n
}

// maildirListed is one message found by List, before its file's metadata
// is read.
type maildirListed struct {
	id    model.MessageID
	stamp int64
	file  maildirFile
	ino   uint64 // the file's inode number as its folder gave it; 0 if not
}

// List implements Source. It reads the names in both folders first (cheap:
// no per-file system call) into a compact index, sorts it, and reports
// the messages in delivery order. The order needs every name before the
// first entry (the earliest delivery may be the last name a folder
// returns); the names are all the listing keeps per message.
//
// Where the folders give each file's inode number with its name (getdents
// on Linux), an entry's stamp is that number (see inoStamp) and its Size
// and Received are left unknown: no file is stat'ed, and a warm reopen of
// an unchanged Maildir makes no system call per message at all (at
// 20,000 messages the stats were a fifth of its CPU). A scan that needs
// the delivery time (a message without a Date) takes it from the file it
// opens (StoredAt). Elsewhere each file's metadata is read, several files
// at a time, and the messages are reported as their chunk is ready.
func (m *Maildir) List(ctx context.Context, fn func(Entry) error) error {
	m.mu.Lock()
	m.begun++
	number := m.begun
	m.mu.Unlock()
	found := &maildirIndex{}
	for _, sub := range maildirSubdirs {
		if err := m.readNames(ctx, sub, found); err != nil {
			return err
		}
	}
	found.sort()
	if m.sorted != nil {
		m.sorted()
	}
	m.mu.Lock()
	if number < m.installed {
		// A listing begun since has installed names read after these:
		// report them, and leave its names in place.
		m.mu.Unlock()
		return m.statAndReport(ctx, found, fn)
	}
	m.installed = number
	m.listing, m.places, m.moved = found, nil, nil
	m.mu.Unlock()
	// However the listing ends but in a panic (an error of fn's, a
	// cancel), its names go, and their places serve Open until the next
	// listing.
	var places *maildirPlaces
	defer func() {
		m.mu.Lock()
		if m.listing == found && places != nil { // not superseded since
			m.listing, m.places = nil, places
		}
		m.mu.Unlock()
	}()
	m.refreshFolders()
	err := m.statAndReport(ctx, found, fn)
	m.mu.RLock()
	current := m.listing == found
	m.mu.RUnlock()
	if current { // the names are all read, whatever err says
		places = newMaildirPlaces(found, placeInfosMost(found.len()))
	}
	return err
}

// readNames appends the messages named in one folder to found.
func (m *Maildir) readNames(ctx context.Context, sub string, found *maildirIndex) error {
	return m.readFolder(ctx, sub, func(e dirent) error {
		if m.statAll {
			e.ino = 0
		}
		return found.add(sub, e.name, e.ino)
	})
}

// readFolder calls fn with the regular files of folder sub whose names
// do not start with a dot: a folder, a link or a pipe is no delivered
// message. A missing folder is fine (a Maildir may lack new/ until the
// first delivery); an unreadable one fails the listing, as a partial
// list would mislead.
func (m *Maildir) readFolder(ctx context.Context, sub string, fn func(dirent) error) error {
	dir, err := m.openFolder(sub)
	if dir == nil {
		return err
	}
	defer dir.Close()
	n := 0
	err = readDirTypes(dir, func(e dirent) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if e.name[0] == '.' || e.typ != direntRegular {
			return nil
		}
		return fn(e)
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("cannot read %s: %w", m.Name(), err)
	}
	return err
}

// openFolder opens folder sub for reading its names: nil and no error
// when it is missing (a Maildir may lack new/ until the first delivery).
func (m *Maildir) openFolder(sub string) (*os.File, error) {
	dir, err := m.root.Open(sub)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", m.Name(), err)
	}
	return dir, nil
}

// Open implements Source. The file is looked up where the last listing
// saw it; when it has moved since (new flags, new/ to cur/), it is looked
// for again by its unique name.
func (m *Maildir) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validMaildirID(id) {
		return nil, notFound(id)
	}
	// Every place but the last may be a wrong one, another ID's with the
	// same hash (maildirPlaces): one that fails is passed over, and one
	// of several that is a symbolic link is refused (it may point at
	// another message), as a file found by its name is below.
	places := m.lookup(id)
	for n, file := range places {
		last := n == len(places)-1
		f, root, name, err := m.openListed(file)
		if err == nil && len(places) > 1 {
			f, err = refuseLink(f, root, name)
		}
		if err == nil {
			r, err := openMessage(f, id)
			if err == nil || last || !errors.Is(err, ErrNotFound) {
				return r, err
			}
			continue
		}
		if !isGone(err) && last {
			return nil, err
		}
	}
	// A client may rename the file again between resolving and opening:
	// try a few times before calling it gone.
	for range 3 {
		file, err := m.resolve(ctx, id)
		if err != nil {
			return nil, err
		}
		f, err := m.root.OpenFile(file.rel(), openFlags, 0)
		if err == nil {
			f, err = refuseLink(f, m.root, file.rel())
		}
		if err == nil {
			m.remember(id, file)
			return openMessage(f, id)
		}
		if !isGone(err) {
			return nil, err
		}
	}
	return nil, notFound(id)
}

// refuseLink returns f, opened by name in r, unless what name names now
// is not what was opened: a symbolic link (os.Root follows those within
// the root), or a file renamed over it since. Then f is closed, and the
// error says the file is gone, so that Open looks further. The listing
// never reports a link; only the places Open guesses (resolve's, or a
// hash's several) are checked, at one more system call.
func refuseLink(f *os.File, r *os.Root, name string) (*os.File, error) {
	opened, err := f.Stat()
	if err == nil {
		var named os.FileInfo
		if named, err = r.Lstat(name); err == nil && !os.SameFile(opened, named) {
			err = fmt.Errorf("%s is not the file opened (a link?): %w", name, fs.ErrNotExist)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// lookup returns where message id's file may be (usually one place):
// found again under another name since the listing, or as the listing
// saw it.
func (m *Maildir) lookup(id model.MessageID) []maildirFile {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if f, ok := m.moved[id]; ok {
		return []maildirFile{f}
	}
	if m.listing != nil {
		if f, ok := m.listing.find(id); ok {
			return []maildirFile{f}
		}
		return nil
	}
	return m.places.find(id)
}

// validMaildirID reports whether id can name a Maildir file at all: a
// unique name has no path separator and no info part, and List never
// reports hidden files.
func validMaildirID(id model.MessageID) bool {
	s := string(id)
	return s != "" && s[0] != '.' && !strings.ContainsAny(s, ":/\x00")
}

// resolve finds the file currently holding message id: the bare unique
// name in cur/ or new/, else the first "id:..." file in either. It is the
// slow path (a directory read) and what a Move operation will build on.
func (m *Maildir) resolve(ctx context.Context, id model.MessageID) (maildirFile, error) {
	for _, sub := range []string{"cur", "new"} {
		f := maildirFile{sub: sub, name: string(id)}
		if info, err := m.root.Lstat(f.rel()); err == nil && info.Mode().IsRegular() {
			return f, nil
		}
	}
	prefix := string(id) + ":"
	for _, sub := range []string{"cur", "new"} {
		name, err := m.findPrefix(ctx, sub, prefix)
		if err != nil {
			return maildirFile{}, err
		}
		if name != "" {
			return maildirFile{sub: sub, name: name}, nil
		}
	}
	return maildirFile{}, notFound(id)
}

// findPrefix returns the first regular file's name in folder sub that
// starts with prefix, or "" when none does. Another kind of file there,
// a link above all (Open refuses one), is passed over: it must not hide
// the message's file further on, or in the other folder.
func (m *Maildir) findPrefix(ctx context.Context, sub, prefix string) (string, error) {
	dir, err := m.root.Open(sub)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer dir.Close()
	for {
		names, err := dir.Readdirnames(1024)
		for _, name := range names {
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			if info, err := m.root.Lstat(sub + string(os.PathSeparator) + name); err == nil && info.Mode().IsRegular() {
				return name, nil
			}
		}
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
	}
}

// Close implements Source.
func (m *Maildir) Close() error {
	m.closeFolders()
	return m.root.Close()
}
