package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sync"
	"sync/atomic"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"mxaudit/model"
)

// Spill keeps full analysed messages in a private file (beside the
// analysis cache: App.SpillDir), so that a console listing 100,000 of
// them holds only their compact rows (model.Row) in memory and reads a
// message back when a view or an action needs it whole.
//
// The file is created with O_EXCL and mode 0600 and unlinked at once:
// no other process can open it by name, and it goes away with the
// process, however that ends. Each record is one message; the index in
// memory holds its offset, length and SHA-256, and every read checks the
// hash and the message's ID, so that a damaged or swapped record is an
// error, never another message's contents. A release plans on what Get
// returns, so Get fails closed.
//
// When the file cannot be created or written (a full disk), the messages
// are kept in memory instead, never lost, and Degraded says why, for the
// status line.
//
// A Spill is safe for concurrent use: Put from the scan, Get from
// commands.
type Spill struct {
	// putMu serialises Puts, which share batch: a buffer kept by the
	// spill rather than a sync.Pool, which every collection empties
	// (under the console's memory limit, collections are many, and a
	// buffer grown and cleared again for each batch cost 2 s of CPU at
	// 100,000 messages).
	putMu sync.Mutex
	batch bytes.Buffer

	mu  sync.Mutex
	dir string
	f   *os.File
	end int64
	// live counts the bytes of the records index reaches; the rest of
	// the file is dead, and compaction rewrites it away
	// (spillcompact.go). retired is the file before the last compaction,
	// kept open for a Get that read its place before it.
	live       int64
	retired    *os.File
	compactMin int64 // spillCompactMin; tests lower it
	// index maps a message, by idKey, to its record, or to -1 - i for
	// mem[i]. Keyed by a hash of the ID rather than the ID: the map then
	// holds no pointer for the collector to follow and keeps no
	// message's ID alive (at 1,000,000 messages about 60 MB of them).
	// Two IDs of one hash (about one chance in 40 million at a million
	// messages, under a random seed) are told apart by the record, which
	// holds its ID, so that Get never answers for another message; the
	// second of them is indexed in overflow, by its ID, so that neither
	// hides the other (placeLocked).
	index map[uint64]int32
	// overflow indexes, by ID, the messages whose key another message's
	// record held when they were put: so rare that it is nil until then.
	overflow map[model.MessageID]int32
	seed     maphash.Seed
	seed2    maphash.Seed                 // idCheck's
	keyOf    func(model.MessageID) uint64 // nil: maphash under seed; tests make keys collide
	// recs are the records on disk, by place, in chunks (chunkList):
	// appended to one slice, a million records' 48 MB were copied as it
	// grew (a console pairing a million messages allocated 160–190 MiB
	// more, for the same peak).
	recs chunkList[spillRecord]
	mem  []*model.Message
	// outside is a handle on the analysis cache's file, whose records
	// the spill names rather than copies (spillref.go), taken from
	// outsideFrom; nil when none is. outsideLive counts the records
	// indexed that name it: at none, the handle is let go, so that a
	// file the cache has replaced since is not kept for as long as the
	// process runs, and the next scan's file can be named.
	outside     model.ReaderAtCloser
	outsideFrom model.RecordFile
	outsideLive int
	// degraded is the error that made the spill keep messages in
	// memory; nil while every message is on disk. why holds it too, for
	// Degraded, which the console calls from Update and which must not
	// wait for a Put writing a batch under mu.
	degraded error
	why      atomic.Pointer[error]
	closed   bool
}

// idKey is the key of id in the index.
func (s *Spill) idKey(id model.MessageID) uint64 {
	if s.keyOf != nil {
		return s.keyOf(id)
	}
	return maphash.String(s.seed, string(id))
}

// degrade records why messages are kept in memory from now on; s.mu is
// held.
func (s *Spill) degrade(err error) {
	s.degraded = err
	s.why.Store(&err)
}

// spillRecord is where one message's record is and what it must hash to:
// at off in the spill's file, or, when off is negative, in the cache's
// (outsideAt).
type spillRecord struct {
	off int64
	n   uint32
	chk uint32 // idCheck of its ID: in the struct's padding
	sum [sha256.Size]byte
}

// idCheck tells apart IDs of one key without reading their records.
func (s *Spill) idCheck(id model.MessageID) uint32 {
	return uint32(maphash.String(s.seed2, string(id)))
}

// Errors Get returns.
var (
	// ErrNotSpilled: the spill holds no message with that ID.
	ErrNotSpilled = errors.New("message not kept")
	// ErrSpillDamaged: a record's bytes or ID are not what was written.
	ErrSpillDamaged = errors.New("the kept copy of the message is damaged")
)

// lossyUTF8 is what encoding/json writes for each byte of a string that
// is not valid UTF-8: such a message would not come back byte for byte
// (mail is attacker-controlled and may carry any bytes), so it is kept
// in memory. A valid U+FFFD is written as itself, and a backslash in the
// text as "\\", so this only costs memory for the rare text that says
// "\ufffd" literally.
var lossyUTF8 = []byte(`\ufffd`)

// maxKeptBatch bounds the buffer a Spill keeps between Puts.
const maxKeptBatch = 4 << 20

// maxSpillRecord bounds one record (a message's analysis, not its
// bytes): a larger one stays in memory.
const maxSpillRecord = 64 << 20

// NewSpill returns a spill whose file is in dir (App.SpillDir), or in
// os.TempDir when dir is "" or no file can be made there (a read-only
// cache directory). A file that cannot be created in either is not an
// error: the spill then keeps messages in memory and Degraded says so.
func NewSpill(dir string) *Spill {
	s := &Spill{index: make(map[uint64]int32), seed: maphash.MakeSeed(), seed2: maphash.MakeSeed(), compactMin: spillCompactMin}
	var errs []error
	for _, d := range spillDirs(dir) {
		f, err := newSpillFile(d)
		if err == nil {
			s.f, s.dir = f, d
			return s
		}
		errs = append(errs, err)
	}
	s.dir = os.TempDir()
	s.degrade(errors.Join(errs...))
	return s
}

// spillDirs are where a spill's file is made, in turn until one takes
// it: dir, then the temporary directory (only that when dir is "").
func spillDirs(dir string) []string {
	if dir == "" || dir == os.TempDir() {
		return []string{os.TempDir()}
	}
	return []string{dir, os.TempDir()}
}

// newSpillFile creates a private file in dir: made with O_EXCL and mode
// 0600, and unlinked at once.
func newSpillFile(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "mxaudit-spill-*") // O_EXCL, 0600
	if err != nil {
		return nil, fmt.Errorf("cannot create a file to keep messages in: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		// A file others could open by name is not private.
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("cannot unlink the file to keep messages in: %w", err)
	}
	return f, nil
}

// Get returns the message kept under id, equal to the one put except
// that its dates carry no location (their instants are the same). A
// message kept in memory shares its slices with the one put: never
// change them. It fails with ErrSpillDamaged when its record does not
// hash to what was written or cannot be decoded, and with ErrNotSpilled
// when none is kept under id, or the copy found under its key is another
// message's (see index).
func (s *Spill) Get(id model.MessageID) (model.Message, error) {
	s.mu.Lock()
	i, ok := s.findLocked(id)
	closed := s.closed
	var rec spillRecord
	var kept *model.Message
	switch {
	case !ok || closed:
	case i < 0:
		kept = s.mem[-i-1]
	default:
		rec = *s.recs.at(int(i))
	}
	var f io.ReaderAt = s.f
	at := rec.off
	if off, ok := rec.outside(); ok {
		f, at = s.outside, off
	}
	s.mu.Unlock()
	switch {
	case closed:
		return model.Message{}, fmt.Errorf("%s: %w (the console is closing)", id, ErrNotSpilled)
	case !ok:
		return model.Message{}, fmt.Errorf("%s: %w", id, ErrNotSpilled)
	case kept != nil && kept.ID != id:
		return model.Message{}, fmt.Errorf("%s: %w (another message's copy is in its place)", id, ErrNotSpilled)
	case kept != nil:
		return *kept, nil
	}
	buf := make([]byte, rec.n)
	if _, err := f.ReadAt(buf, at); err != nil {
		return model.Message{}, fmt.Errorf("%s: reading the kept copy: %w", id, err)
	}
	if sha256.Sum256(buf) != rec.sum {
		return model.Message{}, fmt.Errorf("%s: %w", id, ErrSpillDamaged)
	}
	var m model.Message
	if err := jsonv1.Unmarshal(buf, &m); err != nil {
		return model.Message{}, fmt.Errorf("%s: %w", id, ErrSpillDamaged)
	}
	if m.ID != id {
		return model.Message{}, fmt.Errorf("%s: %w (another message's copy is in its place)", id, ErrNotSpilled)
	}
	return m, nil
}

// Degraded returns why the spill keeps messages in memory, nil when every
// message is in its file.
func (s *Spill) Degraded() error {
	if p := s.why.Load(); p != nil {
		return *p
	}
	return nil
}

// Reset forgets every message kept, as a reload does: the listing's IDs
// may name other messages now, and a copy kept from before must never
// answer for one. The records stay in the file, unreachable.
func (s *Spill) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.index)
	s.overflow, s.recs, s.mem, s.live = nil, chunkList[spillRecord]{}, nil, 0
	s.outsideLive = 0
	s.letGoOutsideLocked()
}

// Close releases the file; Get fails afterwards.
func (s *Spill) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.mem, s.recs, s.index, s.overflow = nil, chunkList[spillRecord]{}, nil, nil
	if s.retired != nil {
		s.retired.Close()
		s.retired = nil
	}
	s.letGoOutsideLocked()
	if s.f == nil {
		return nil
	}
	return s.f.Close()
}

// Message is Get for a command: the front ends read a listed message
// back through it when a view or an action needs it whole. It fails with
// ctx's error when ctx is done.
func (s *Spill) Message(ctx context.Context, id model.MessageID) (model.Message, error) {
	if err := ctx.Err(); err != nil {
		return model.Message{}, err
	}
	return s.Get(id)
}
