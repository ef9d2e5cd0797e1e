package mailsrc

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Open opens the quarantine at path, telling its kind from what is there:
//
//   - a directory with a cur/ or new/ folder is a Maildir (NewMaildir);
//   - any other directory is a tree of message files (NewDir);
//   - a regular file whose first line is an mbox From_ line is an mbox
//     (NewMbox), even when it holds a single message;
//   - any other regular file that starts like a message, plain or gzip, is
//     a source of that one message (NewFile).
//
// Errors name the path and the reason: "cannot open quarantine /x:
// permission denied", "...: no such file or directory" (wrapping
// fs.ErrPermission, fs.ErrNotExist), "...: not a mail message" (wrapping
// ErrNotMail) for a file that is neither mbox nor message. A gzip file is
// taken as one message even when an mbox is inside; compressed mboxes are
// not supported.
//
// The path is resolved first to the file it names (physicalPath): a
// source's name (Name) is what its analysis cache is kept under, and "q"
// from one directory, the same quarantine by its full path or through a
// symbolic link must be one cache, while "q" from two directories must
// not.
func Open(path string) (Source, error) {
	if p, err := physicalPath(path); err == nil {
		path = p
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, quarantineError(path, err)
	}
	switch {
	case info.IsDir():
		return openDirectory(path)
	case info.Mode().IsRegular():
		return openFile(path)
	}
	return nil, fmt.Errorf("cannot open quarantine %s: not a directory or regular file but %s: give a Maildir, a folder of messages, an mbox file or a message file",
		path, fileKind(info.Mode()))
}

// fileKind names a file type in words for an error message, rather than
// as a mode string such as "Dc---------".
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// openDirectory opens a Maildir or a directory source. The root is read
// once here so that an unreadable one fails now, with a clear message,
// rather than at the first listing.
func openDirectory(path string) (Source, error) {
	root, err := openRoot(path)
	if err != nil {
		return nil, err
	}
	dir, err := root.Open(".")
	if err == nil {
		_, err = dir.Readdirnames(1)
		dir.Close()
	}
	maildir := isMaildir(root)
	root.Close()
	if err != nil && err != io.EOF { // EOF: an empty directory
		return nil, quarantineError(path, err)
	}
	if maildir {
		return NewMaildir(path)
	}
	return NewDir(path)
}

// openFile opens an mbox or a single message file, by the file's first
// bytes.
func openFile(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, quarantineError(path, err)
	}
	var head [headSize]byte
	n, err := readHead(f, head[:])
	if err != nil {
		f.Close()
		return nil, quarantineError(path, err)
	}
	if line, _ := firstLine(bytes.TrimPrefix(head[:n], utf8BOM)); isFromLine(line) {
		f.Close()
		return NewMbox(path)
	}
	// Classify the whole head again (gzip, a byte order mark) the way a
	// directory listing would.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, quarantineError(path, err)
	}
	err = sniff(f)
	f.Close()
	if err != nil {
		return nil, quarantineError(path, err)
	}
	return NewFile(path)
}

// physicalPath is the absolute path, without symbolic links, of the file
// path names as the kernel finds it. Not filepath.Abs: it joins the
// working directory as the shell spelled it ($PWD, which may hold links)
// and cleans "link/.." away as text, where the kernel goes to the parent
// of the link's target, so that "../q" from a linked directory would
// name another quarantine than the one the operator meant.
func physicalPath(path string) (string, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil || filepath.IsAbs(resolved) {
		return resolved, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if wd, err = filepath.EvalSymlinks(wd); err != nil {
		return "", err
	}
	return filepath.Join(wd, resolved), nil
}
