//go:build !linux

package mailsrc

import (
	"io/fs"
	"time"
)

// latestChange is a file's modification time where the system has no
// status-change time to add.
func latestChange(info fs.FileInfo) time.Time { return info.ModTime() }
