//go:build !linux

package mailsrc

import (
	"io"
	"io/fs"
	"os"
)

// readDirTypes calls fn with each entry of dir: its name and type, read
// by (*os.File).ReadDir (which may stat each entry here); its inode
// number is left unknown.
func readDirTypes(dir *os.File, fn func(dirent) error) error {
	for {
		entries, err := dir.ReadDir(4096)
		for _, e := range entries {
			if err := fn(dirent{name: []byte(e.Name()), typ: direntTypeOf(e.Type())}); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// direntTypeOf returns the type of a file of mode m.
func direntTypeOf(m fs.FileMode) direntType {
	switch {
	case m.IsRegular():
		return direntRegular
	case m.IsDir():
		return direntDir
	case m&fs.ModeSymlink != 0:
		return direntSymlink
	}
	return direntOther
}
