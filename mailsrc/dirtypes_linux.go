//go:build linux

package mailsrc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
)

// readDirTypes calls fn with each name in dir and what the directory
// entry says of its type: a regular file, something else, or unknown
// (the file system does not say). A directory opened in an os.Root
// makes (*os.File).ReadDir stat every entry; getdents already carries the
// type on the common file systems.
func readDirTypes(dir *os.File, fn func(name string, typ direntType) error) error {
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
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			typ := direntUnknown
			switch b[18] {
			case syscall.DT_REG:
				typ = direntRegular
			case syscall.DT_DIR:
				typ = direntDir
			case syscall.DT_LNK:
				typ = direntSymlink
			case syscall.DT_UNKNOWN:
			default:
				typ = direntOther
			}
			if len(name) > 0 {
				if err := fn(string(name), typ); err != nil {
					return err
				}
			}
			b = b[reclen:]
		}
	}
}
