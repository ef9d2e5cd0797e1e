package action

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
)

// body is a released message as the deliverers get it: opened afresh and
// streamed from the quarantine to the relay or Maildir, never held whole
// in memory (a 10 MB .gz can expand to hundreds of MiB), and checked on
// the way: the bytes delivered must hash to sha256, the digest of the
// bytes the release was decided on.
type body struct {
	open   func() (io.ReadCloser, error)
	size   int64
	sha256 string
}

// errChanged is a delivery stopped because the bytes read for it are not
// the ones checked: the file was replaced meanwhile. The deliverer aborts
// before the message is complete, so nothing is delivered.
var errChanged = errors.New("the message changed while it was being delivered; it was not delivered")

// reader opens the body for one delivery attempt, wrapped so that the
// final Read reports errChanged instead of io.EOF when the digest differs.
func (b body) reader() (io.ReadCloser, error) {
	rc, err := b.open()
	if err != nil {
		return nil, err
	}
	return &checkedReader{rc: rc, h: sha256.New(), want: b.sha256}, nil
}

type checkedReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	want string
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && c.want != "" && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		return n, errChanged
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }

// scanned is what one streaming pass over a message yields: its envelope,
// digest and size.
type scanned struct {
	env  envelope
	sum  string
	size int64
}

// scanMessage reads rc once, closing it: the envelope from the header,
// the SHA-256 and the size of the whole.
func scanMessage(rc io.ReadCloser) (scanned, error) {
	defer rc.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(rc, h)}
	env, err := parseEnvelope(cr)
	if err != nil {
		return scanned{}, err
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return scanned{}, err
	}
	return scanned{env: env, sum: hex.EncodeToString(h.Sum(nil)), size: cr.n}, nil
}

// digestOf streams rc into SHA-256, closing it.
func digestOf(rc io.ReadCloser) (string, error) {
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
