//go:build linux

package mailsrc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// readDirTypes calls fn with each entry of dir: its name, its file's type
// and inode number. A directory opened in an os.Root makes
// (*os.File).ReadDir stat every entry; getdents already carries the type
// on the common file systems, and the inode number on all, and an entry
// whose type the file system does not give is stat'ed by name in dir (an
// fstatat that follows no link), or left out when it is gone meanwhile.
func readDirTypes(dir *os.File, fn func(dirent) error) error {
	buf := make([]byte, 64<<10)
	fd := int(dir.Fd())
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// then the NUL-terminated name.
		for b := buf[:n]; len(b) > 0; {
			if len(b) < 19 {
				return fmt.Errorf("short directory entry")
			}
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return fmt.Errorf("bad directory entry length %d", reclen)
			}
			ino, dtype, name := binary.NativeEndian.Uint64(b[0:8]), b[18], b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			name = name[:len(name):len(name)] // an append never reaches the next entry
			b = b[reclen:]
			if len(name) == 0 {
				continue
			}
			typ, err := direntTypeAt(fd, name, dtype)
			if isGone(err) {
				continue // removed since the folder was read
			}
			if err != nil {
				return err
			}
			if err := fn(dirent{name: name, typ: typ, ino: ino}); err != nil {
				return err
			}
		}
	}
}

// direntTypeAt returns the type of the file name in the directory fd:
// what the entry says (dtype), or else what an fstatat of it says.
func direntTypeAt(fd int, name []byte, dtype uint8) (direntType, error) {
	switch dtype {
	case syscall.DT_REG:
		return direntRegular, nil
	case syscall.DT_DIR:
		return direntDir, nil
	case syscall.DT_LNK:
		return direntSymlink, nil
	case syscall.DT_UNKNOWN:
	default:
		return direntOther, nil
	}
	var st unix.Stat_t
	if err := unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return direntOther, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return direntRegular, nil
	case unix.S_IFDIR:
		return direntDir, nil
	case unix.S_IFLNK:
		return direntSymlink, nil
	}
	return direntOther, nil
}
