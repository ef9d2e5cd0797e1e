package auth

import "bufio"

// readHeader is readHeaderInto a header section of its own, as the
// tests read one.
func readHeader(br *bufio.Reader) (*messageHeader, error) {
	return readHeaderInto(&messageHeader{raw: make([]byte, 0, 4096)}, br)
}
