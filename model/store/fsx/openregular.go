package fsx

import (
	"errors"
	"os"
)

// ErrNotRegular is a path that OpenRegular refuses: not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// OpenRegular opens path for reading when it is a regular file, and
// returns it with its FileInfo. Where the system allows (openRegular),
// the open itself neither follows a symbolic link nor waits on a FIFO
// put in the file's place: a check before the open would leave a moment
// for either, and an open of a FIFO waits for a writer forever.
func OpenRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = ErrNotRegular
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}
