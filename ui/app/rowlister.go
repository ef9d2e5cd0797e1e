package app

import (
	"context"
	"crypto/sha256"
	"strconv"
	"strings"

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
//   - its row is the one the console kept from its last scan for a
//     message of the same ID and sum, when the row snapshot of that scan
//     is there (keptRows: of whatever listing, if this binary wrote it),
//     else made from the message, decoded whole if it was not;
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
	ctx   context.Context // the scan's: the kept rows stop being read with it
	emit  func(model.Message, *model.Row) error
	build *model.RowBuilder
	// path is the row snapshot the kept rows are read from; kept is
	// nil until prime reads them, and again once they are dropped.
	path   string
	kept   *keptRows
	primed bool
	// asked and found count the lookups in kept, to drop it when
	// few rows are found (see reuse); reused and made, the rows
	// emitted of each kind.
	asked, found int
	reused, made int
}

// listedRows is what a rowLister counted (App.listed).
type listedRows struct{ reused, made int }

// newRowLister returns a lister handing messages and rows to emit,
// which reuses no rows until it is told where they are kept
// (keptBeside).
func newRowLister(ctx context.Context, emit func(model.Message, *model.Row) error) *rowLister {
	return &rowLister{ctx: ctx, emit: emit, build: model.NewRowBuilder()}
}

// keptBeside has the lister read its kept rows, once primed, from the
// row snapshot of the cache file cachePath. A nil lister ignores it.
func (l *rowLister) keptBeside(cachePath string) {
	if l != nil {
		l.path = rowsPath(cachePath)
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
		l.kept = readKeptRows(l.ctx, l.path)
	}
}

// emitMessage hands m on with its row (see rowLister).
func (l *rowLister) emitMessage(m model.Message) error {
	l.prime() // a scan that did not say (no pairing, no cache)
	// kept is the message as the spill keeps it (encoded), whole as the
	// row is made from it (decoded).
	kept, whole := m, m
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
	if r := l.reuse(m.ID, sum); r != nil {
		l.reused++
		return l.emit(kept, r)
	}
	l.made++
	if err := whole.Materialize(); err != nil {
		// Bytes the cache checked that do not decode: listed as the
		// error it is, which nothing can release, never as the clean
		// row its head alone would make.
		e := scan.ErrorMessage(m.ID, m.Size, err)
		return l.emit(e, l.build.RowOf(&e, model.ContentSum{}))
	}
	return l.emit(kept, l.build.RowOf(&whole, sum))
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

// keptRows are the rows of a row snapshot this binary wrote, whatever
// scan it was of, read whole and found by ID (rowIndex).
type keptRows struct {
	done   chan struct{}
	blocks [][]model.Row // all of per rows but the last
	per    int
	index  *rowIndex
}

// readKeptRows starts reading the row snapshot at path; find waits for
// it. A file that is not this binary's, or not there, holds no rows; one
// damaged part way holds the rows before the damage.
func readKeptRows(ctx context.Context, path string) *keptRows {
	k := &keptRows{done: make(chan struct{})}
	go func() {
		defer close(k.done)
		k.read(ctx, path)
	}()
	return k
}

func (k *keptRows) read(ctx context.Context, path string) {
	build := buildID()
	if build == "" {
		return
	}
	rf, err := openRowsWith(path, func(line string) (int, bool) { return keptRowsHeader(line, build) })
	if err != nil {
		return
	}
	defer rf.Close()
	n := 0
	for rf.rowsLeft > 0 && ctx.Err() == nil {
		rows, err := rf.next()
		if err != nil || k.per > 0 && (len(rows) > k.per || len(k.blocks[len(k.blocks)-1]) != k.per) {
			break // damaged, or out of step: the rest is not used
		}
		if k.per == 0 {
			k.per = len(rows)
		}
		k.blocks = append(k.blocks, rows)
		n += len(rows)
	}
	if n == 0 {
		return
	}
	k.index = newRowIndex(n)
	for i := range n {
		k.index.add(k, int32(i))
	}
}

// keptRowsHeader accepts the header line of a row snapshot this binary
// (build) wrote with this row codec, of any scan, and returns the rows
// it announces.
func keptRowsHeader(line, build string) (int, bool) {
	f := strings.Fields(line)
	if len(f) != 5 || f[0] != rowsMagic || f[1] != strconv.Itoa(model.RowCodecVersion) || f[2] != build ||
		!strings.HasSuffix(line, "\n") {
		return 0, false
	}
	count, err := strconv.Atoi(f[4])
	if err != nil || count <= 0 || count > maxKeptRows {
		return 0, false
	}
	return count, true
}

// maxKeptRows bounds the rows a kept list may announce: positions are
// int32s.
const maxKeptRows = 1 << 30

func (k *keptRows) row(at int32) *model.Row {
	return &k.blocks[int(at)/k.per][int(at)%k.per]
}

// rowID implements rowIDs.
func (k *keptRows) rowID(at int32) model.MessageID { return k.row(at).ID() }

// find returns the kept row of message id made from the message whose
// sum is sum, nil when there is none.
func (k *keptRows) find(id model.MessageID, sum model.ContentSum) *model.Row {
	<-k.done
	if k.index == nil {
		return nil
	}
	at, ok := k.index.find(k, id)
	if !ok {
		return nil
	}
	if r := k.row(at); r.Content() == sum {
		return r
	}
	return nil
}
