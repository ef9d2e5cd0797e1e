//go:build unix

package mailsrc

import (
	"io/fs"
	"strconv"
	"syscall"
)

// fileID names the file itself: its device and inode.
func fileID(info fs.FileInfo) string {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "-"
	}
	return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(st.Ino, 10)
}
