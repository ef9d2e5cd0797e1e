//go:build !unix

package store

import (
	"errors"
	"os"
)

// dupFile is not made here: a reader of encoded messages keeps copies
// of its own, as it did before (see recordFile).
func dupFile(*os.File) (*os.File, error) { return nil, errors.ErrUnsupported }
