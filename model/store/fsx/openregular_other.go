//go:build !unix

package fsx

import "os"

// openRegular opens path; OpenRegular then refuses what is not a
// regular file.
func openRegular(path string) (*os.File, error) { return os.Open(path) }
