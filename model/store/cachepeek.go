package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"mxaudit/model/store/fsx"
)

// cacheFilePath is the file OpenCache(dir, sourceKey, …) reads and writes.
func cacheFilePath(dir, sourceKey string) string {
	return filepath.Join(dir, sha256Hex(sourceKey)+".jsonl")
}

// wantHeader is the header a cache file of sourceKey written under
// fingerprint has, but for its time (Written), which parseHeader does
// not compare.
func wantHeader(sourceKey, fingerprint string) cacheHeader {
	return cacheHeader{Format: cacheFormat, Version: cacheVersion, Source: sourceKey,
		Fingerprint: sha256Hex(fingerprint), Schema: modelSchema()}
}

// untrustedFile says why the cache file of info is not read, "" when it
// is: not a regular file, writable by others, or past the bound.
func untrustedFile(info os.FileInfo) string {
	switch {
	case !info.Mode().IsRegular():
		return "the cache path is not a regular file"
	case info.Mode().Perm()&0o022 != 0:
		return "the file is writable by other users, so its verdicts cannot be trusted"
	case info.Size() > maxCacheFileLen:
		return fmt.Sprintf("the file is larger than %d bytes", int64(maxCacheFileLen))
	}
	return ""
}

// maxHeaderLen bounds the header line PeekCache reads: one written by
// OpenCache is a few hundred bytes.
const maxHeaderLen = 4 << 10

// PeekCache returns the path of the file OpenCache(dir, sourceKey,
// fingerprint) would open, the sum of its header line (Cache.HeaderSum),
// and whether that line is now a header that OpenCache accepts: this
// mxaudit's format and message model, the same source and the same
// settings. It reads that line alone, under the checks OpenCache makes
// of the file (a regular file, writable by no one else), and says
// nothing of the records: it is for what is shown before the cache is
// opened and its snapshot checked (a console's rows ahead, ui/app),
// never for what is acted on.
func PeekCache(dir, sourceKey, fingerprint string) (path, sum string, ok bool) {
	path = cacheFilePath(dir, sourceKey)
	f, info, err := fsx.OpenRegular(path)
	if err != nil {
		return path, "", false
	}
	defer f.Close()
	if untrustedFile(info) != "" {
		return path, "", false
	}
	line, err := bufio.NewReaderSize(f, maxHeaderLen).ReadSlice('\n')
	if err != nil {
		return path, "", false
	}
	if parseHeader(line[:len(line)-1], wantHeader(sourceKey, fingerprint)) != nil {
		return path, "", false
	}
	return path, headerSum(line), true
}

// HeaderSum names the cache file's header line as it is in the file (with
// its newline): another once the file is rebuilt (other settings, a
// damaged file) or written anew. What is kept beside the cache and read
// before it is opened names the file it goes with by it (PeekCache).
func (c *Cache) HeaderSum() string { return headerSum(c.headerLine) }

func headerSum(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:8])
}
