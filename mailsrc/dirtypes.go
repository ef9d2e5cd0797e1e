package mailsrc

// direntType is what a directory entry says of its file's type.
type direntType uint8

const (
	direntRegular direntType = iota
	direntDir
	direntSymlink
	direntOther // a pipe, a socket, a device
)

// dirent is one entry of a directory as readDirTypes reads it. Its
// name is only valid during the call it is passed to: readDirTypes
// gives the bytes of its buffer, so that listing a folder of 100,000
// messages does not make a string of each name for the listing to copy
// (18 ms of a warm start).
type dirent struct {
	name []byte
	typ  direntType
	// ino is the file's inode number as the directory entry gives it;
	// 0 when unknown.
	ino uint64
}
