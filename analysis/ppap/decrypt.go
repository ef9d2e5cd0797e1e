package ppap

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	yzip "github.com/yeka/zip"
)

// zipArchive is an encrypted ZIP held in memory for password attempts.
type zipArchive struct {
	data  []byte
	files []*yzip.File
	// proved is the probe entry as findPassword decrypted it with the
	// password that opened it, so that decrypting the archive does not
	// derive that entry's key (for AES, a PBKDF2 run) a second time.
	proved provedEntry
}

// provedEntry is one entry decrypted with one password, read up to max
// bytes (truncated when it holds more).
type provedEntry struct {
	f         *yzip.File
	password  string
	data      []byte
	truncated bool
}

// openEntry is open, served from the proved entry when findPassword has
// just decrypted f with password: the same bytes, cut at max. max must
// not exceed what findPassword read (probeMax).
func (z *zipArchive) openEntry(f *yzip.File, password string, max int64) ([]byte, bool, error) {
	p := z.proved
	if p.f == nil || p.f != f || p.password != password {
		return z.open(f, password, max)
	}
	z.proved = provedEntry{} // used once: the caller owns the bytes now
	if int64(len(p.data)) > max {
		return p.data[:max], true, nil
	}
	return p.data, p.truncated, nil
}

// openZip parses the central directory of data with yeka/zip, the reader
// that knows ZipCrypto and WinZip AES.
func openZip(data []byte) (z *zipArchive, err error) {
	defer func() {
		if p := recover(); p != nil {
			z, err = nil, fmt.Errorf("unreadable ZIP: %v", p)
		}
	}()
	r, err := yzip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("unreadable ZIP: %w", err)
	}
	return &zipArchive{data: data, files: r.File}, nil
}

// method is how one entry is encrypted, read from its headers.
type method struct {
	encrypted bool
	aes       bool
	saltLen   int // AES only
}

// aesExtraID is the WinZip AES extra field.
const aesExtraID = 0x9901

// entryMethod reads the encryption of f from its flags and extra field.
// yeka/zip keeps the AES fields unexported, so they are parsed here.
func entryMethod(f *yzip.File) method {
	m := method{encrypted: f.Flags&1 != 0}
	if !m.encrypted {
		return m
	}
	extra := f.Extra
	for len(extra) >= 4 {
		tag := binary.LittleEndian.Uint16(extra)
		size := int(binary.LittleEndian.Uint16(extra[2:]))
		if size > len(extra)-4 {
			break
		}
		if tag == aesExtraID && size >= 7 {
			// As yeka/zip reads it, which decides how the entry is
			// decrypted: the last such field wins, and AE version 0
			// means ZipCrypto whatever the field says (7-Zip too reads
			// such an entry as ZipCrypto, by its method). Calling it AES
			// here would refuse its right password in the AES quick
			// check, and its content would never be looked at.
			m.aes = binary.LittleEndian.Uint16(extra[4:]) != 0
			m.saltLen = 0
			switch extra[4+4] {
			case 1:
				m.saltLen = 8
			case 2:
				m.saltLen = 12
			case 3:
				m.saltLen = 16
			}
		}
		extra = extra[4+size:]
	}
	return m
}

// errWrongPassword is the outcome of a password that does not open an
// entry; other errors mean the entry cannot be opened at all.
var errWrongPassword = errors.New("wrong password")

// sane checks what yeka/zip trusts blindly before it allocates or seeks:
// the entry's data must lie inside the archive, large enough for its
// encryption header.
func (z *zipArchive) sane(f *yzip.File, m method) error {
	off, err := f.DataOffset()
	if err != nil {
		return fmt.Errorf("entry %q: %w", f.Name, err)
	}
	size := f.CompressedSize64
	if off < 0 || off > int64(len(z.data)) || size > uint64(int64(len(z.data))-off) {
		return fmt.Errorf("entry %q: data outside the archive", f.Name)
	}
	switch {
	case m.aes && m.saltLen == 0:
		return fmt.Errorf("entry %q: unknown AES strength", f.Name)
	case m.aes && size < uint64(m.saltLen+2+10):
		return fmt.Errorf("entry %q: AES data too short", f.Name)
	case !m.aes && m.encrypted && size < 12:
		return fmt.Errorf("entry %q: ZipCrypto data too short", f.Name)
	}
	return nil
}

// zipCryptoHeaderOK is the traditional PKWARE quick check: the 12-byte
// encryption header, decrypted, must end in the high byte of the CRC (or
// of the modification time when the sizes follow in a data descriptor).
// A wrong password passes with probability 1/256.
func (z *zipArchive) zipCryptoHeaderOK(f *yzip.File, password string) bool {
	off, err := f.DataOffset()
	if err != nil || off+12 > int64(len(z.data)) {
		return false
	}
	hdr := make([]byte, 12)
	copy(hdr, z.data[off:off+12])
	plain := yzip.NewZipCrypto([]byte(password)).Decrypt(hdr)
	want := byte(f.CRC32 >> 24)
	if f.Flags&0x8 != 0 {
		want = byte(f.ModifiedTime >> 8)
	}
	return plain[11] == want
}

// aesVerifierOK is the AES quick check (aesVerifierMatches) on entry f,
// whose data sane has checked to lie inside the archive.
func (z *zipArchive) aesVerifierOK(f *yzip.File, m method, password string) bool {
	off, err := f.DataOffset()
	if err != nil {
		return false
	}
	return aesVerifierMatches(password, 2*m.saltLen, z.data[off:off+int64(m.saltLen)+2])
}

// open decrypts and decompresses one entry with password, reading at most
// max bytes. It returns errWrongPassword when the password is refused:
// the ZipCrypto header check, the AES password verifier, the AES HMAC or
// the CRC of the decompressed data. truncated is set when the entry holds
// more than max bytes, in which case its CRC could not be checked.
func (z *zipArchive) open(f *yzip.File, password string, max int64) (data []byte, truncated bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, truncated, err = nil, false, fmt.Errorf("entry %q: %v", f.Name, p)
		}
	}()
	m := entryMethod(f)
	if err := z.sane(f, m); err != nil {
		return nil, false, err
	}
	if m.encrypted && !m.aes && !z.zipCryptoHeaderOK(f, password) {
		return nil, false, errWrongPassword
	}
	if m.aes && !z.aesVerifierOK(f, m, password) {
		return nil, false, errWrongPassword
	}
	if m.encrypted {
		f.SetPassword(password)
	}
	f.DeferAuth = false // authenticate AES data before any of it is used
	rc, err := f.Open()
	switch {
	case errors.Is(err, yzip.ErrPassword):
		return nil, false, errWrongPassword
	case err != nil:
		return nil, false, fmt.Errorf("entry %q: %w", f.Name, err)
	}
	defer rc.Close()
	// The declared size is a hint only; the buffer grows with what the
	// stream really yields, never past max+1.
	buf := bytes.NewBuffer(make([]byte, 0, min(int64(f.UncompressedSize64), max, 1<<20)+1))
	n, err := io.Copy(buf, io.LimitReader(rc, max+1))
	if n > max {
		return buf.Bytes()[:max], true, nil
	}
	switch {
	case err == nil:
		return buf.Bytes(), false, nil
	case m.encrypted && (errors.Is(err, yzip.ErrAuthentication) || errors.Is(err, yzip.ErrChecksum) ||
		errors.Is(err, yzip.ErrDecryption) || isFlateError(err)):
		// A wrong password that slipped past the quick check decrypts to
		// noise: bad deflate data, a CRC or HMAC mismatch.
		return nil, false, errWrongPassword
	}
	return nil, false, fmt.Errorf("entry %q: %w", f.Name, err)
}

// isFlateError recognises what compress/flate returns for data that is
// not a deflate stream, and a stream cut short.
func isFlateError(err error) bool {
	var corrupt flate.CorruptInputError
	var internal flate.InternalError
	return errors.As(err, &corrupt) || errors.As(err, &internal) || errors.Is(err, io.ErrUnexpectedEOF)
}

// probe picks the entry used to test passwords: the smallest encrypted
// regular file whose data lies inside the archive. A small entry decrypts
// fast, and its CRC (or HMAC) confirms a password the quick check passed.
func (z *zipArchive) probe() (*yzip.File, error) {
	var best *yzip.File
	var lastErr error
	for _, f := range z.files {
		m := entryMethod(f)
		if !m.encrypted || isDir(f) {
			continue
		}
		if err := z.sane(f, m); err != nil {
			lastErr = err
			continue
		}
		if best == nil || f.CompressedSize64 < best.CompressedSize64 {
			best = f
		}
	}
	if best == nil {
		if lastErr != nil {
			return nil, lastErr
		}
		return nil, errors.New("no encrypted file in the archive")
	}
	return best, nil
}

func isDir(f *yzip.File) bool {
	return len(f.Name) > 0 && (f.Name[len(f.Name)-1] == '/' || f.Name[len(f.Name)-1] == '\\')
}

// attempt is one password tried on an archive, and where it came from.
type attempt struct {
	password string
	source   int // index into the candidate mails; -1 for a password already known to work
}

// findPassword tries the candidates in order on the probe entry, stopping
// at the first that opens it, as long as stop allows one more (the
// deadline, the work budget). It returns the index of the winning attempt
// (-1 when none) and how many were tried.
func (z *zipArchive) findPassword(attempts []attempt, probeMax int64, stop func() bool) (int, int, error) {
	f, err := z.probe()
	if err != nil {
		return -1, 0, err
	}
	tried := 0
	for i, a := range attempts {
		if stop() {
			return -1, tried, errors.New("time or work limit reached while trying passwords")
		}
		tried++
		data, truncated, err := z.open(f, a.password, probeMax)
		switch {
		case err == nil:
			z.proved = provedEntry{f: f, password: a.password, data: data, truncated: truncated}
			return i, tried, nil
		case errors.Is(err, errWrongPassword):
			continue
		default:
			return -1, tried, err
		}
	}
	return -1, tried, nil
}
