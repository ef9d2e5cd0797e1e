package model

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
	"sync"
)

// source is this package's Go source, tests and all (go:embed cannot
// leave them out: 460 KB of the binary), for SourceSum.
//
//go:embed *.go
var source embed.FS

// SourceSum returns the SHA-256 of this package's source, its tests left
// out, read once: what names the code that makes a row of a message
// (NewRow, and the decoding of a cached message into the message a row
// is made from) and that encodes and decodes rows, for rows kept on disk
// (ui/app's rowMaker). Named so, not by a version bumped by hand, a
// change to any of it is a new name: a security review found a test
// over a corpus of messages blind to 12 of 27 changes to the row's
// flags and columns, each of which a forgotten bump would have shown
// an upgraded console's operator as the old build made it. A change
// elsewhere in mxaudit keeps the name, and the console's kept list with
// it.
var SourceSum = sync.OnceValue(func() string {
	h := sha256.New()
	entries, err := fs.ReadDir(source, ".")
	if err != nil {
		return ""
	}
	for _, e := range entries { // sorted by name
		name := e.Name()
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := source.ReadFile(name)
		if err != nil {
			return ""
		}
		sum := sha256.Sum256(b)
		h.Write([]byte(name + "\n"))
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))
})
