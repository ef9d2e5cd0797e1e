//go:build linux

package mailsrc

import (
	"io/fs"
	"syscall"
	"time"
)

// latestChange is the later of a file's modification and status-change
// times. The status-change time cannot be set back (touch, rsync -t and
// tar can set the modification time to anything), so a folder restored
// with old times still looks changed.
func latestChange(info fs.FileInfo) time.Time {
	t := info.ModTime()
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		if c := time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)); c.After(t) {
			t = c
		}
	}
	return t
}
