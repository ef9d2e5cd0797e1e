package mailsrc

// direntType is what a directory entry says of its file's type.
type direntType uint8

const (
	direntRegular direntType = iota
	direntDir
	direntSymlink
	direntOther // a pipe, a socket, a device
)
