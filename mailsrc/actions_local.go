package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path"
	"strings"
	"time"

	"mxaudit/model"
)

var (
	_ Ledger = (*Dir)(nil)
	_ Ledger = (*Maildir)(nil)
)

// actor names who moves a message when Release or Delete is called
// directly rather than through package action, which passes the operator.
func actor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u + " (from $USER)"
	}
	return model.UnknownUser
}

// quarantine returns the action machinery over the directory tree: a
// message file moves to the same relative path under .released/ or
// .trash/.
func (d *Dir) quarantine() (*localQuarantine, error) {
	if d.single != "" {
		return nil, fmt.Errorf("%s: a single message file cannot be released or deleted; open its folder instead", d.Name())
	}
	return &localQuarantine{
		root: d.root,
		name: d.Name(),
		locate: func(_ context.Context, id model.MessageID) (string, error) {
			if !d.listable(string(id)) {
				return "", notFound(id)
			}
			info, err := d.root.Lstat(string(id))
			switch {
			case isGone(err):
				return "", notFound(id)
			case err != nil:
				return "", err
			case !info.Mode().IsRegular():
				return "", fmt.Errorf("%q is not a regular file: %w", string(id), ErrNotFound)
			}
			return string(id), nil
		},
		areaPath:    func(area, file string) string { return area + "/" + file },
		prepareArea: func(string) error { return nil },
		trashFiles: func(ctx context.Context, fn func(string, model.MessageID) error) error {
			return fs.WalkDir(d.root.FS(), trashArea, func(p string, de fs.DirEntry, err error) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err != nil {
					return err
				}
				if p != trashArea && strings.HasPrefix(de.Name(), ".") {
					if de.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				if !de.Type().IsRegular() {
					return nil
				}
				return fn(p, model.MessageID(strings.TrimPrefix(p, trashArea+"/")))
			})
		},
	}, nil
}

// Release implements Mover: the message moves to .released/ (dest must
// be "" or ".released"). It does not deliver it: package action does,
// before calling Claim.Archive itself.
func (d *Dir) Release(ctx context.Context, id model.MessageID, dest string) error {
	q, err := d.quarantine()
	if err != nil {
		return err
	}
	return q.release(ctx, id, dest, actor())
}

// Delete implements Mover: the message moves to .trash/.
func (d *Dir) Delete(ctx context.Context, id model.MessageID) error {
	q, err := d.quarantine()
	if err != nil {
		return err
	}
	return q.delete(ctx, id, actor())
}

// Claim implements Ledger.
func (d *Dir) Claim(ctx context.Context, id model.MessageID) (*Claim, error) {
	q, err := d.quarantine()
	if err != nil {
		return nil, err
	}
	return q.claim(ctx, id)
}

// PurgeTrash implements Ledger.
func (d *Dir) PurgeTrash(ctx context.Context, cutoff time.Time, fn func(Purged, func() error) error) error {
	q, err := d.quarantine()
	if err != nil {
		return err
	}
	return q.purgeTrash(ctx, cutoff, fn)
}

// quarantine returns the action machinery over the Maildir: a message
// file keeps its folder and name inside the Maildir++ folders .released
// and .trash (".released/cur/1700000000.M1P2.host:2,S").
func (m *Maildir) quarantine() *localQuarantine {
	return &localQuarantine{
		root: m.root,
		name: m.Name(),
		locate: func(ctx context.Context, id model.MessageID) (string, error) {
			if !validMaildirID(id) {
				return "", notFound(id)
			}
			// Where the last listing saw it, when it is still there: the
			// slow path reads the whole folder.
			for _, f := range m.lookup(id) {
				if info, err := m.root.Lstat(f.rel()); err == nil && info.Mode().IsRegular() {
					return path.Join(f.sub, f.name), nil
				}
			}
			f, err := m.resolve(ctx, id)
			if err != nil {
				return "", err
			}
			return path.Join(f.sub, f.name), nil
		},
		areaPath: func(area, file string) string { return area + "/" + file },
		prepareArea: func(area string) error {
			for _, sub := range []string{"cur", "new", "tmp"} {
				if err := mkdirAllSynced(m.root, area+"/"+sub); err != nil {
					return err
				}
			}
			return nil
		},
		trashFiles: func(ctx context.Context, fn func(string, model.MessageID) error) error {
			for _, sub := range maildirSubdirs {
				if err := m.eachName(ctx, trashArea+"/"+sub, func(name string) error {
					return fn(trashArea+"/"+sub+"/"+name, maildirID(name))
				}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// eachName calls fn with every file name in folder dir not starting with
// '.'; a missing folder has none.
func (m *Maildir) eachName(ctx context.Context, dir string, fn func(string) error) error {
	f, err := m.root.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		names, err := f.Readdirnames(1024)
		for _, name := range names {
			if name[0] == '.' {
				continue
			}
			if err := fn(name); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// Release implements Mover: the message moves to the Maildir++ folder
// .released (dest must be "" or ".released"). It does not deliver it.
func (m *Maildir) Release(ctx context.Context, id model.MessageID, dest string) error {
	return m.quarantine().release(ctx, id, dest, actor())
}

// Delete implements Mover: the message moves to the Maildir++ folder
// .trash.
func (m *Maildir) Delete(ctx context.Context, id model.MessageID) error {
	return m.quarantine().delete(ctx, id, actor())
}

// Claim implements Ledger.
func (m *Maildir) Claim(ctx context.Context, id model.MessageID) (*Claim, error) {
	return m.quarantine().claim(ctx, id)
}

// PurgeTrash implements Ledger.
func (m *Maildir) PurgeTrash(ctx context.Context, cutoff time.Time, fn func(Purged, func() error) error) error {
	return m.quarantine().purgeTrash(ctx, cutoff, fn)
}
