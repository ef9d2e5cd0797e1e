package app

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
)

// buildID names this mxaudit binary for the row snapshots it writes and
// reads (rowsHeader), read once; "" when it cannot be named, and then
// none is written or read.
//
// It is the Go toolchain's build ID of the executable where the linker
// left one in its ELF note: its last part is a hash of the binary's
// content (the content ID of cmd/go's build IDs), so that another build
// has another, and it is read in well under a millisecond. A build ID
// can also be set by hand (-ldflags=-buildid=) and then be the same for
// two builds: the one taken is summed with the build's settings as the
// binary records them (runtime/debug.BuildInfo: the module versions,
// the flags, the VCS revision) and the executable's size. Elsewhere, or
// when the ID is not of the toolchain's form, it is the SHA-256 of the
// executable: about 20 ms of CPU, which a warm start's first rows
// competed with.
//
// The executable is read as this process runs it (/proc/self/exe on
// Linux), not by its path, which may name a newer binary put there
// since.
var buildID = sync.OnceValue(func() string {
	exe, err := runningExecutable()
	if err != nil {
		return ""
	}
	if id, ok := goBuildID(exe); ok {
		h := sha256.New()
		h.Write([]byte(id + "\n"))
		if info, ok := debug.ReadBuildInfo(); ok {
			h.Write([]byte(info.String()))
		}
		if st, err := os.Stat(exe); err == nil {
			fmt.Fprintf(h, "\nsize %d", st.Size())
		}
		return "go" + hex.EncodeToString(h.Sum(nil)[:15])
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
})

// runningExecutable names the file this process runs: /proc/self/exe
// where there is one, else the path os.Executable finds.
func runningExecutable() (string, error) {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil
	}
	return os.Executable()
}

// goBuildNote is the type of the ELF note the Go linker writes its
// build ID in, under the name "Go\x00\x00" (cmd/link's elf.go).
const goBuildNote = 4

// goBuildID returns the Go build ID in the ELF note of the executable at
// path; false when it has none of the toolchain's form.
func goBuildID(path string) (string, bool) {
	f, err := elf.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil || sec.Size > 4096 {
		return "", false
	}
	note, err := sec.Data()
	if err != nil || len(note) < 12 {
		return "", false
	}
	nameLen, descLen, typ := f.ByteOrder.Uint32(note[0:]), f.ByteOrder.Uint32(note[4:]), f.ByteOrder.Uint32(note[8:])
	descAt := 12 + (uint64(nameLen)+3)&^3
	if typ != goBuildNote || nameLen != 4 || len(note) < 16 || string(note[12:16]) != "Go\x00\x00" || descAt+uint64(descLen) > uint64(len(note)) {
		return "", false
	}
	id := string(note[descAt : descAt+uint64(descLen)])
	return id, isToolchainBuildID(id)
}

// isToolchainBuildID reports whether id has the form cmd/go gives a
// linked binary's build ID: parts of 20 characters of URL-safe base64,
// separated by slashes, the content ID last.
func isToolchainBuildID(id string) bool {
	parts := strings.Split(id, "/")
	if len(parts) < 2 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if len(p) != 20 || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}
