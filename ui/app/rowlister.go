package app

import (
	"context"
	"crypto/sha256"

	"mxaudit/analysis/scan"
	"mxaudit/model"
	"mxaudit/model/store"
)

// A row lister makes the rows of a console's scan (ScanRows) as the scan
// emits its messages, on the scan's goroutine rather than the console's
// Update, and hands each message on with its row:
//
//   - the message is encoded once as the analysis cache encodes it
//     (store.Encode), unless it still carries the cached bytes (a warm
//     scan's, model.Encoded), and those bytes are summed
//     (model.ContentSum);
//   - its row is a copy of the one the console kept from its last scan
//     for a message of the same ID and sum, when the row snapshot of
//     that scan is there (keptRows: of whatever listing, if its rows
//     were made as this mxaudit makes them), else made from the message, decoded whole if it was
//     not;
//   - the message goes on still encoded, for the console's spill to
//     write its bytes as they are (Spill.Put).
//
// After a delivery into a quarantine of 100,000 messages, the console
// scanned again by decoding every cached analysis whole, making its row
// and encoding it again for its spill (half of the scan's CPU); the
// lister decodes only the messages whose analysis or pairing changed.
//
// A row is a function of its message and of the build (model.ContentSum),
// and the sum covers every byte of the message as emitted, pairing's
// outcome included: a row is reused only for the very message it was
// made from. A message that cannot be encoded (text that is not UTF-8:
// the cache keeps none either) gets a row with no sum, never reused.
type rowLister struct {
	// ctx ends with the scan (stop): the kept rows stop being read.
	ctx   context.Context
	stop  context.CancelFunc
	emit  func(model.Message, *model.Row) error
	build *model.RowBuilder
	// path is the row snapshot the kept rows are read from, and most
	// the most rows it may announce; kept is nil until prime reads
	// them (read), and again once they are dropped.
	path   string
	most   int
	kept   *keptRows
	primed bool
	read   bool
	// asked and found count the lookups in kept, to drop it when
	// few rows are found (see reuse); reused and made, the rows
	// emitted of each kind.
	asked, found int
	reused, made int
}

// listedRows is what a rowLister counted (App.listed), and whether it
// read a kept list (keptRead).
type listedRows struct {
	reused, made int
	keptRead     bool
}

// newRowLister returns a lister handing messages and rows to emit,
// which reuses no rows until it is told where they are kept
// (keptBeside).
// The caller must call stop once the scan is over.
func newRowLister(ctx context.Context, emit func(model.Message, *model.Row) error) *rowLister {
	ctx, stop := context.WithCancel(ctx)
	return &rowLister{ctx: ctx, stop: stop, emit: emit, build: model.NewRowBuilder()}
}

// keptBeside has the lister read its kept rows, once primed, from the
// row snapshot of the cache file cachePath, which holds entries results:
// a list of more than twice as many rows (and a block) is not one this
// cache's scans kept, and is not read, so that a file's count cannot
// make room for more than the listing could need. A nil lister ignores
// it.
func (l *rowLister) keptBeside(cachePath string, entries int) {
	if l != nil {
		l.path, l.most = rowsPath(cachePath), 2*entries+rowsPerBlock
	}
}

// prime starts reading the kept rows, once: the scan calls it when it
// will emit messages, not a row snapshot's rows, which are then read
// anyway and held by the table (reading them twice at a million
// messages would hold 200 MB more).
func (l *rowLister) prime() {
	if l == nil || l.primed {
		return
	}
	l.primed = true
	if l.path != "" {
		l.kept, l.read = readKeptRows(l.ctx, l.path, l.most), true
	}
}

// readNone primes the lister to read no kept rows: every row it hands
// on is made from its message.
func (l *rowLister) readNone() {
	if l != nil {
		l.primed = true
	}
}

// emitMessage hands m on with its row (see rowLister).
func (l *rowLister) emitMessage(m model.Message) error {
	l.prime() // a scan that did not say (no pairing, no cache)
	kept, sum := keptForm(m)
	if r := l.reuse(m.ID, sum); r != nil {
		l.reused++
		return l.emit(kept, l.build.Adopt(r))
	}
	l.made++
	return l.emit(madeRow(l.build, m, kept, sum))
}

// keptForm is m as the spill keeps it (encoded), and the sum of its
// encoding, which its row carries.
func keptForm(m model.Message) (model.Message, model.ContentSum) {
	kept := m
	if !m.IsEncoded() {
		if enc, err := store.Encode(m); err == nil {
			kept = enc.Message()
		}
	}
	var sum model.ContentSum
	if kept.IsEncoded() {
		// The hash goes with the message for the spill, which checks
		// its record against it: hashing each message twice was 3% of
		// the scan after a delivery. Encoded is copied, not written:
		// a cached message's may be the cache's.
		e := *kept.Encoded
		e.JSONSum, e.HasJSONSum = sha256.Sum256(e.JSON), true
		kept.Encoded = &e
		sum = model.ContentSumOf(e.JSONSum)
	}
	return kept, sum
}

// madeRow makes the row of m, kept in the form keptForm gave with sum,
// from the message whole, and returns the message to hand on with it.
func madeRow(build *model.RowBuilder, m, kept model.Message, sum model.ContentSum) (model.Message, *model.Row) {
	whole := m
	if err := whole.Materialize(); err != nil {
		// Bytes the cache checked that do not decode: listed as the
		// error it is, which nothing can release, never as the clean
		// row its head alone would make.
		e := scan.ErrorMessage(m.ID, m.Size, err)
		return e, build.RowOf(&e, model.ContentSum{})
	}
	return kept, build.RowOf(&whole, sum)
}

// listedRow is the message the lister hands on for m, and the row it
// makes of it.
func listedRow(build *model.RowBuilder, m model.Message) (model.Message, *model.Row) {
	kept, sum := keptForm(m)
	return madeRow(build, m, kept, sum)
}

// keptHitsFloor is the share of lookups (one in keptHitsFloor) that must
// find a kept row once keptTrial lookups were made, for the kept rows to
// be kept: a last scan's rows that all differ (the analysis changed with
// the binary's version, or the quarantine was emptied and filled again)
// are let go rather than held beside the rows made anew.
const (
	keptTrial      = 4096
	keptHitsFloor  = 4
	keptTrialFloor = keptTrial / keptHitsFloor
)

// reuse returns the kept row of the message id whose sum is sum, nil
// when none is kept.
func (l *rowLister) reuse(id model.MessageID, sum model.ContentSum) *model.Row {
	if l.kept == nil || sum.IsZero() {
		return nil
	}
	r := l.kept.find(id, sum)
	l.asked++
	if r != nil {
		l.found++
	}
	if l.asked == keptTrial && l.found < keptTrialFloor {
		l.kept = nil
	}
	return r
}

// keptRows are the rows of a row snapshot of rows made as this mxaudit
// makes them (rowMaker), whatever scan it was of, read whole and found by ID (rowIndex). A row found is
// taken once (the lister adopts a copy of it), and a block whose rows
// have all been taken is let go as the scan goes: rows pointing into
// the blocks pinned each block whole, texts and all, for as long as the
// console listed any of its rows (a list kept before most of its
// messages were released held all of it), and rows copied without
// letting the blocks go held the old list beside the new one until the
// scan's end.
type keptRows struct {
	done   chan struct{}
	blocks [][]model.Row // all of per rows but the last; nil once let go
	per    int
	index  *rowIndex
	// taken marks the rows found (one bit a row), and left counts the
	// rows of each block not yet found.
	taken []uint64
	left  []int32
}

// readKeptRows starts reading the row snapshot at path, of at most most
// rows; find waits for it. A file of rows made otherwise (rowMaker), or not
// there, holds no rows; one damaged part way holds the rows before the
// damage.
func readKeptRows(ctx context.Context, path string, most int) *keptRows {
	k := &keptRows{done: make(chan struct{})}
	go func() {
		defer close(k.done)
		k.read(ctx, path, most)
	}()
	return k
}

func (k *keptRows) read(ctx context.Context, path string, most int) {
	maker := rowMaker()
	if maker == "" {
		return
	}
	rf, err := openRowsWith(path, func(line string) (int, bool) { return keptRowsHeader(line, maker, most) })
	if err != nil {
		return
	}
	defer rf.Close()
	for rf.rowsLeft > 0 && ctx.Err() == nil {
		rows, err := rf.next()
		if err != nil || k.per > 0 && (len(rows) > k.per || len(k.blocks[len(k.blocks)-1]) != k.per) {
			break // damaged, or out of step: the rest is not used
		}
		if k.per == 0 {
			k.per = len(rows)
		}
		k.blocks = append(k.blocks, rows)
	}
	if ctx.Err() != nil {
		k.blocks = nil
		return
	}
	k.indexBlocks()
}

// indexBlocks indexes the rows of k.blocks, all of k.per rows but the
// last, none of them found yet.
func (k *keptRows) indexBlocks() {
	n := 0
	k.left = make([]int32, len(k.blocks))
	for i, b := range k.blocks {
		k.left[i] = int32(len(b))
		n += len(b)
	}
	if n == 0 {
		return
	}
	k.taken = make([]uint64, (n+63)/64)
	k.index = newRowIndex(n)
	for i := range n {
		k.index.add(k, int32(i))
	}
}

// keptRowsHeader accepts the header line of a row snapshot of rows made
// as maker (rowMaker) makes them, with this row codec, of any scan, of at
// most most rows, and returns the rows it announces.
func keptRowsHeader(line, maker string, most int) (int, bool) {
	h, ok := parseRowsHeader(line)
	if !ok || h.maker != maker || h.count > min(most, maxKeptRows) {
		return 0, false
	}
	return h.count, true
}

// maxKeptRows bounds the rows a kept list may announce: positions are
// int32s.
const maxKeptRows = 1 << 30

// row is the row at position at, nil once its block was let go.
func (k *keptRows) row(at int32) *model.Row {
	b := k.blocks[int(at)/k.per]
	if b == nil {
		return nil
	}
	return &b[int(at)%k.per]
}

// rowID implements rowIDs: no ID for a row let go, which the index then
// never finds.
func (k *keptRows) rowID(at int32) model.MessageID {
	if r := k.row(at); r != nil {
		return r.ID()
	}
	return ""
}

// find returns the kept row of message id made from the message whose
// sum is sum, nil when there is none or it was found before. The row is
// its block's: the caller copies it (RowBuilder.Adopt) rather than keep
// the block.
func (k *keptRows) find(id model.MessageID, sum model.ContentSum) *model.Row {
	<-k.done
	if k.index == nil || id == "" {
		return nil
	}
	at, ok := k.index.find(k, id)
	if !ok {
		return nil
	}
	r := k.row(at)
	if r == nil || r.Content() != sum || k.taken[at/64]&(1<<(at%64)) != 0 {
		return nil
	}
	k.taken[at/64] |= 1 << (at % 64)
	b := int(at) / k.per
	if k.left[b]--; k.left[b] == 0 {
		k.blocks[b] = nil // r keeps it until the caller has copied it
	}
	return r
}
