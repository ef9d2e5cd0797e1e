package mailsrc

// direntType is what a directory entry says of its file's type.
type direntType uint8

const (
	direntRegular direntType = iota
	direntDir
	direntSymlink
	direntOther // a pipe, a socket, a device
)

// dirent is one entry of a directory as readDirTypes reads it.
type dirent struct {
	name string
	typ  direntType
	// ino is the file's inode number as the directory entry gives it;
	// 0 when unknown.
	ino uint64
}
