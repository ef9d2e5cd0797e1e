package analysis

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
)

// digestReader hashes the raw bytes an analysis reads, so that an action
// can tell later whether the bytes it delivers are the ones analysed
// (model.Message.SHA256).
type digestReader struct {
	r   io.Reader
	h   hash.Hash
	eof bool
}

func newDigestReader(r io.Reader) *digestReader { return &digestReader{r: r, h: sha256.New()} }

func (d *digestReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		d.eof = true
	}
	return n, err
}

// sum returns the hex digest, or "" when the analysis stopped before the
// end of the message: a digest of part of it would refuse every release.
func (d *digestReader) sum() string {
	if !d.eof {
		return ""
	}
	return hex.EncodeToString(d.h.Sum(nil))
}

// bufferDigest is the hex SHA-256 of the bytes buf holds, hashed where
// they lie (no copy through a reader's buffer).
func bufferDigest(buf *chunkBuffer) string {
	h := sha256.New()
	left := buf.Size()
	for _, c := range buf.chunks {
		n := min(left, int64(len(*c)))
		h.Write((*c)[:n])
		left -= n
	}
	return hex.EncodeToString(h.Sum(nil))
}
