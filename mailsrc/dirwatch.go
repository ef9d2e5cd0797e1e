package mailsrc

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// ChangeStamp returns what changes whenever a file is added to, removed
// from or renamed in the folders that List walks (hidden folders are not
// walked): the stamp of each folder (writeFolderStamp), read from the
// folders alone, with no system call per file. A listing of a folder
// tree reads every file's metadata and head (it sniffs what is mail), so
// a quiet quarantine of 100,000 files cost a listing of all of them every
// poll.
//
// settled is false, so that the watcher lists every time, while a folder
// changed less than settle before now; for a tree holding a symbolic
// link, whose target can change with no folder of the tree changing; and
// for a source made by NewFile (one file, cheap to list).
func (d *Dir) ChangeStamp(now time.Time, settle time.Duration) (stamp string, settled bool, err error) {
	if d.single != "" {
		return "", false, nil
	}
	var b strings.Builder
	settled = true
	var visit func(folder string) error
	visit = func(folder string) error {
		info, err := d.root.Stat(folder)
		if err != nil {
			return err
		}
		if !writeFolderStamp(&b, folder, info, now, settle) {
			settled = false
		}
		dir, err := d.root.Open(folder)
		if err != nil {
			return err
		}
		defer dir.Close()
		var subs []string
		err = readDirTypes(dir, func(e dirent) error {
			if e.name[0] == '.' {
				return nil
			}
			switch e.typ {
			case direntDir:
				subs = append(subs, path.Join(folder, string(e.name)))
			case direntSymlink:
				settled = false
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if err := visit(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit("."); err != nil {
		return "", false, fmt.Errorf("cannot read %s: %w", d.Name(), err)
	}
	return b.String(), settled, nil
}
