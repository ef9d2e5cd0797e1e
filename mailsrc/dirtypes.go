package mailsrc

import "io/fs"

// direntType is what a directory entry says of its file's type.
type direntType uint8

const (
	direntUnknown direntType = iota // the file system does not say: stat it
	direntRegular
	direntDir
	direntSymlink
	direntOther // a pipe, a socket, a device
)

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
