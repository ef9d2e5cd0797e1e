package store

import (
	"bufio"
	"os"
	"path/filepath"
)

// cacheFilePath is the file OpenCache(dir, sourceKey, …) reads and writes.
func cacheFilePath(dir, sourceKey string) string {
	return filepath.Join(dir, sha256Hex(sourceKey)+".jsonl")
}

// maxHeaderLen bounds the header line PeekCache reads: one written by
// OpenCache is a few hundred bytes.
const maxHeaderLen = 4 << 10

// PeekCache returns the path of the file OpenCache(dir, sourceKey,
// fingerprint) would open, and whether its first line is now a header
// that OpenCache accepts: this mxaudit's format and message model, the
// same source and the same settings. It reads that line alone, under the
// checks OpenCache makes of the file (a regular file, writable by no one
// else), and says nothing of the records: it is for what is shown before
// the cache is opened and its snapshot checked (a console's rows ahead,
// ui/app), never for what is acted on.
func PeekCache(dir, sourceKey, fingerprint string) (string, bool) {
	path := cacheFilePath(dir, sourceKey)
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o022 != 0 || info.Size() > maxCacheFileLen {
		return path, false
	}
	f, err := os.Open(path)
	if err != nil {
		return path, false
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, maxHeaderLen).ReadSlice('\n')
	if err != nil {
		return path, false
	}
	want := cacheHeader{Format: cacheFormat, Version: cacheVersion, Source: sourceKey,
		Fingerprint: sha256Hex(fingerprint), Schema: modelSchema()}
	return path, parseHeader(line[:len(line)-1], want) == nil
}
