//go:build !linux

package mailsrc

import (
	"io"
	"io/fs"
	"os"
)

// readDirTypes calls fn with each name in dir and its type, read by
// (*os.File).ReadDir (which may stat each entry here).
func readDirTypes(dir *os.File, fn func(name string, typ direntType) error) error {
	for {
		entries, err := dir.ReadDir(4096)
		for _, e := range entries {
			typ := direntTypeOf(e.Type())
			if err := fn(e.Name(), typ); err != nil {
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
