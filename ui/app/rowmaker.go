package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"

	"mxaudit/model"
)

// rowMaker names what made the rows of a kept list (rowsHeader), for the
// lists the console writes and reads, read once; "" when it cannot be
// named, and then none is written or read.
//
// A row is a function of its message alone (model.NewRow), so a list
// kept by one mxaudit may be listed by another that makes rows alike.
// What makes them is package model's code (the row's texts, flags and
// verdict columns, the decoding of a cached message into the message a
// row is made from, the row codec), named by the SHA-256 of its source
// (model.SourceSum), which holds model.RowCodecVersion; the libraries
// that code uses (x/net's public suffix list and IDNA tables for the
// partner domain, the JSON decoder), named by the module versions and
// sums this binary was built with; and the toolchain's Unicode tables,
// by which the texts are lower-cased, named by the Go version (which
// names a GOEXPERIMENT too). Package model imports no other package of
// mxaudit, and reads no setting, file or variable of the environment on
// its way to a row. A build with patched model code is thereby another
// maker.
//
// Named by the binary instead (its build ID), every build threw away
// the list the one before kept: an upgrade's first start made every row
// again from its message, decoding each one whole, 4.5 s and 115 MiB at
// 100,000 messages where a start with the list takes 0.6 s and 86 MiB,
// and 50 s and 683 MiB at a million where it takes 6.8 s and 464 MiB.
// Every other module is counted too, a few hundred bytes to hash, rather
// than the few that the row code uses today.
//
// A library that cannot be named so (a module replaced by a directory,
// or one vendored, which records no sum: its code may change with its
// version), or a build that names none (GOPATH mode, and go test's
// binaries), leaves the binary itself to name the rows, by the SHA-256 of
// the executable, as every build was named before: about 20 ms of CPU at
// a start (ScanRows asks for it while the source is listed).
var rowMaker = sync.OnceValue(func() string {
	info, _ := debug.ReadBuildInfo()
	if maker := rowMakerOf(info, model.SourceSum()); maker != "" {
		return maker
	}
	return executableSum()
})

// rowsFileVersion names the layout of the file a list is kept in
// (rowsnapshot.go: its header, blocks and checksums, rowsName), which
// this package writes and the row codec does not cover: it changes
// whenever that layout does, so that no list is misread.
const rowsFileVersion = 1

// rowMakerOf is rowMaker for a binary built as info says, whose model
// source sums to source; "" when a library it was built with, or the
// source, cannot be named.
func rowMakerOf(info *debug.BuildInfo, source string) string {
	// A build outside module mode (GOPATH) lists no libraries at all:
	// nothing would name the ones the row code uses.
	if info == nil || info.GoVersion == "" || len(info.Deps) == 0 || source == "" {
		return ""
	}
	h := sha256.New()
	// The row codec's version is in model's source, and the Unicode
	// tables are the Go version's.
	fmt.Fprintf(h, "rows file %d\nmodel %s\n%s\n", rowsFileVersion, source, info.GoVersion)
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		if d.Version == "" || d.Version == "(devel)" || d.Sum == "" {
			return ""
		}
		fmt.Fprintf(h, "%s %s %s\n", d.Path, d.Version, d.Sum)
	}
	return "rows-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// executableSum names this binary by the SHA-256 of the executable it
// runs, read as this process runs it (/proc/self/exe on Linux), not by
// its path, which may name a newer binary put there since; "" when it
// cannot be read.
func executableSum() string {
	exe := "/proc/self/exe"
	if _, err := os.Stat(exe); err != nil {
		if exe, err = os.Executable(); err != nil {
			return ""
		}
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
	return "exe-" + hex.EncodeToString(h.Sum(nil)[:16])
}
