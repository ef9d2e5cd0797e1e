package mailsrc

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"mxaudit/model"
)

// Dir is a Source over a directory tree of message files, one message per
// file, whatever their names (amavis writes "spam-AbC123.gz", "virus-…",
// "banned-…"; other tools write "*.eml" or bare numbers). It also serves a
// single message file (see NewFile).
//
// A message's ID is its path relative to the root, with forward slashes
// ("2026/11/spam-AbC123.gz"). Files are listed in lexical path order.
// Folders and files whose name starts with '.' are skipped: that is where
// released or trashed mail goes (".released", ".trash") and where tools
// keep their state.
//
// Every file is classified during the listing by its first bytes (see
// classifyHead), after gunzip when it starts with the gzip magic bytes:
// files that are not mail are reported with an Err wrapping ErrNotMail, and
// files that cannot be read (permission denied, a corrupt gzip header) with
// their error. A gzip stream truncated after its first kilobyte is only
// noticed when the message is read: the reader Open returns then fails
// with io.ErrUnexpectedEOF.
type Dir struct {
	path string
	root *os.Root
	// single is the base name of the one file the source holds when it was
	// made by NewFile, else "". The root is then the file's folder, and
	// nothing else in that folder is reachable.
	single string
}

var _ Source = (*Dir)(nil)

// NewDir opens the directory of message files at path.
func NewDir(path string) (*Dir, error) {
	root, err := openRoot(path)
	if err != nil {
		return nil, err
	}
	return &Dir{path: path, root: root}, nil
}

// NewFile opens a single message file (plain or gzip) as a source of one
// message whose ID is the file's base name (of the link's target, when
// path is a symbolic link).
func NewFile(path string) (*Dir, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, quarantineError(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("cannot open quarantine %s: not a regular file", path)
	}
	// The Root refuses links that lead out of it, so it is opened on the
	// folder of the file itself.
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, quarantineError(path, err)
	}
	root, err := openRoot(filepath.Dir(real))
	if err != nil {
		return nil, err
	}
	return &Dir{path: path, root: root, single: filepath.Base(real)}, nil
}

// Name implements Source.
func (d *Dir) Name() string {
	if d.single != "" {
		return "file " + d.path
	}
	return "directory " + d.path
}

// List implements Source. Entries are reported in walk order as soon as
// the files' heads have been read; reading them (an open, a read and a
// close per file: most of a listing's cost) happens on a few goroutines.
func (d *Dir) List(ctx context.Context, fn func(Entry) error) error {
	if d.single != "" {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := d.root.Stat(d.single)
		if err != nil {
			return quarantineError(d.path, err)
		}
		e := d.sniffEntry(Entry{ID: model.MessageID(d.single), Size: info.Size(), Received: info.ModTime(), Stamp: stampOf(info)}, info)
		if e.ID == "" {
			return quarantineError(d.path, fs.ErrNotExist)
		}
		return fn(e)
	}
	return d.listTree(ctx, fn)
}

// walk visits the tree in lexical order and hands every file to found,
// stopping when found returns false. Folders and files whose name starts
// with '.' are skipped, symbolic links to folders are not followed. It
// returns an error only when the root itself cannot be read.
func (d *Dir) walk(ctx context.Context, found func(dirFound) bool) error {
	var rootErr error
	err := fs.WalkDir(d.root.FS(), ".", func(p string, de fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == "." {
				rootErr = fmt.Errorf("cannot read %s: %w", d.Name(), err)
				return rootErr
			}
			// A sub-folder or file that cannot be read is reported and
			// the walk goes on.
			return d.stopUnless(ctx, found(dirFound{entry: Entry{ID: model.MessageID(p), Err: err}}))
		}
		if p != "." && strings.HasPrefix(de.Name(), ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() {
			return nil
		}
		e := Entry{ID: model.MessageID(p)}
		info, err := d.fileInfo(p, de)
		switch {
		case err != nil && isGone(err):
			return nil // removed while the listing ran
		case err != nil:
			e.Err = err
			return d.stopUnless(ctx, found(dirFound{entry: e}))
		case info.IsDir():
			return nil // a symbolic link to a folder
		}
		e.Size, e.Received, e.Stamp = info.Size(), info.ModTime(), stampOf(info)
		return d.stopUnless(ctx, found(dirFound{entry: e, info: info}))
	})
	if rootErr != nil {
		return rootErr
	}
	return err
}

// stopUnless turns found's verdict into WalkDir's: nil to go on, the
// context's error to stop.
func (d *Dir) stopUnless(ctx context.Context, goOn bool) error {
	if goOn {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.Canceled
}

// fileInfo returns the metadata of the walked file p: the entry's own, or
// for a symbolic link that of its target (which the Root keeps inside the
// tree).
func (d *Dir) fileInfo(p string, de fs.DirEntry) (fs.FileInfo, error) {
	if de.Type()&fs.ModeSymlink != 0 {
		return d.root.Stat(filepath.FromSlash(p))
	}
	return de.Info()
}

// sniffEntry completes the entry of a listed file by reading its head to
// tell mail from the rest. It returns an entry without ID when the file
// is gone.
func (d *Dir) sniffEntry(e Entry, info fs.FileInfo) Entry {
	if !info.Mode().IsRegular() {
		// Never read a FIFO or a device: the read could block forever.
		e.Err = fmt.Errorf("%w: not a regular file (%s)", ErrNotMail, info.Mode().Type())
		return e
	}
	f, err := d.root.OpenFile(filepath.FromSlash(string(e.ID)), openFlags, 0)
	if isGone(err) {
		return Entry{} // removed while the listing ran: not reported
	}
	if err != nil {
		e.Err = err
		return e
	}
	defer f.Close()
	e.Err = sniff(f)
	return e
}

// Open implements Source.
func (d *Dir) Open(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !d.listable(string(id)) {
		return nil, notFound(id)
	}
	f, err := openInRoot(d.root, filepath.FromSlash(string(id)), id)
	if err != nil {
		return nil, err
	}
	return openMessage(f, id)
}

// listable reports whether id is a path List can report: relative, clean,
// without hidden components, and the one file of a single-file source.
func (d *Dir) listable(id string) bool {
	if d.single != "" {
		return id == d.single
	}
	if id == "." || !fs.ValidPath(id) || path.Clean(id) != id {
		return false
	}
	for elem := range strings.SplitSeq(id, "/") {
		if strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return true
}

// Close implements Source.
func (d *Dir) Close() error { return d.root.Close() }
