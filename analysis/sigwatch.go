package analysis

import (
	"bytes"

	"mxaudit/analysis/archive"
)

// sigWatcher receives the bytes of an attachment past the inspection
// limit, which are not kept, and notes whether any archive signature
// passes: a ZIP local header or end record (APPNOTE 4.3.7, 4.3.16), a 7z
// signature header (7zFormat.txt, "SignatureHeader") or a RAR marker. The
// last bytes of each write are carried over, so that a signature split
// between two writes is seen.
//
// It also keeps the last archive.TailLen bytes, where a ZIP's end record
// and, often, its central directory are.
type sigWatcher struct {
	seen  bool
	carry [5]byte
	n     int    // bytes of carry in use
	tail  []byte // the last bytes written, up to twice TailLen
}

// Tail returns the last archive.TailLen bytes written (fewer when fewer
// were).
func (w *sigWatcher) Tail() []byte {
	return w.tail[max(0, len(w.tail)-archive.TailLen):]
}

// keep appends p to the tail, dropping what is more than TailLen back.
func (w *sigWatcher) keep(p []byte) {
	if len(p) >= archive.TailLen {
		w.tail = append(w.tail[:0], p[len(p)-archive.TailLen:]...)
		return
	}
	if len(w.tail)+len(p) > 2*archive.TailLen {
		w.tail = append(w.tail[:0], w.Tail()...)
	}
	w.tail = append(w.tail, p...)
}

var archiveSignatures = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06"), []byte("7z\xBC\xAF\x27\x1C"), []byte("Rar!\x1A\x07")}

func (w *sigWatcher) Write(p []byte) (int, error) {
	w.keep(p)
	if w.seen {
		return len(p), nil
	}
	if w.n > 0 {
		// The carried bytes and the start of p, for split signatures.
		edge := append(w.carry[:w.n:w.n], p[:min(len(p), len(w.carry))]...)
		w.seen = hasArchiveSignature(edge)
	}
	w.seen = w.seen || hasArchiveSignature(p)
	tail := p[max(0, len(p)-len(w.carry)):]
	if len(tail) < len(w.carry) {
		// A short write: keep what was carried before it too.
		joined := append(w.carry[:w.n:w.n], tail...)
		tail = joined[max(0, len(joined)-len(w.carry)):]
	}
	w.n = copy(w.carry[:], tail)
	return len(p), nil
}

func hasArchiveSignature(b []byte) bool {
	for _, sig := range archiveSignatures {
		if bytes.Contains(b, sig) {
			return true
		}
	}
	return false
}
