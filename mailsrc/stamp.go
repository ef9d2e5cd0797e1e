package mailsrc

import (
	"io/fs"
	"strconv"
)

// stampOf is a stored file's identity without its bytes: the file (device
// and inode where the system has them), its size and its modification
// time to the nanosecond. A scan keys its cached results by it, as
// notmuch and mu do, so that reopening a quarantine that did not change
// reads no message. Flag changes in a Maildir rename the file, which
// keeps all three.
func stampOf(info fs.FileInfo) string {
	return fileID(info) + "/" + strconv.FormatInt(info.Size(), 10) + "/" + strconv.FormatInt(info.ModTime().UnixNano(), 10)
}
