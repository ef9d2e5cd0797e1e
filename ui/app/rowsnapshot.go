package app

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
	"mxaudit/model/store/prefault"
)

// A row snapshot is what the console's list showed after a scan whose
// outcome the cache's scan snapshot records (snapshotKey): every
// message's row (model.Row), in listing order, in a file beside the
// cache's, marked with that snapshot's digest. A console that reopens an
// unchanged source reads it and lists those rows (App.ScanRows) instead
// of reading, decoding, keeping and listing every cached result again;
// the one message a view needs is read from the cache when it is asked
// for (App.Message). At 100,000 messages that is one read of about 22 MB
// instead of 100,000 records decoded, encoded again into the console's
// spill and turned into rows.
//
// The file is used only when the scan snapshot is replayed (the same
// listing, the same cached results, the same pairing settings: the same
// digest) and its rows were made as this mxaudit makes them (rowMaker:
// the row code's version, and the libraries and Unicode tables it uses),
// since a row holds texts and flags that model code computes from the
// message. Its rows come in blocks,
// each with its own checksum, so that the first are listed as soon as
// they are read; a block that is damaged, or whose rows do not name the
// listed messages in the listing's order, ends the rows, and the scan
// replays the rest of the messages as before.
//
// The layout: a header line "mxaudit-rows <version> <maker> <digest>
// <count>", then blocks, each the length of its rows' bytes and the
// number of its rows (4 bytes each, little-endian), the rows as one
// model.RowEncoder encodes them all, and the CRC-32C of the block's
// length, number and rows: the check the cache's own records carry.
const rowsMagic = "mxaudit-rows"

// rowsPath is the row snapshot's file for the cache file cachePath.
func rowsPath(cachePath string) string { return cachePath + ".rows" }

// rowsPerBlock is how many rows a block holds, but for the last; a
// variable for tests.
var rowsPerBlock = 1024

// blockHeadLen is the length of a block's head: the length of its rows'
// bytes and their number.
const blockHeadLen = 8

// maxBlockLen bounds a block's rows' bytes, read or written: a row's text
// is bounded (its search text by the message's header), and a block past
// this is not one we wrote. A block is also never longer than what is
// left of the file.
const maxBlockLen = 256 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rowsName is what a row snapshot's header names the list by (its
// "digest"): the scan snapshot digest of the scan it is the list of, and
// the sum of the header line of the cache file that scan used
// (store.Cache.HeaderSum). The digest alone decides whether a scan hands
// the list out; the sum lets a start that has only read the cache's
// header (rowsAhead) tell a list kept over a cache since rebuilt, under
// other settings, from one kept over the cache of now.
func rowsName(digest, cacheSum string) string { return digest + "." + cacheSum }

// rowsHeader is the file's first line.
func rowsHeader(maker, digest string, count int) string {
	return fmt.Sprintf("%s %d %s %s %d\n", rowsMagic, model.RowCodecVersion, maker, digest, count)
}

// rowsHeaderFields are what a header line (rowsHeader) names.
type rowsHeaderFields struct {
	maker, digest string
	count         int
}

// parseRowsHeader reads a header line, with its newline, that rowsHeader
// wrote with this row codec; false for any other line, or a count under
// one. Those who read a row snapshot of whatever scan (rowsAhead, a
// rowLister's kept rows) check its maker and digest themselves.
func parseRowsHeader(line string) (rowsHeaderFields, bool) {
	f := strings.Fields(line)
	if !strings.HasSuffix(line, "\n") || len(f) != 5 || f[0] != rowsMagic || f[1] != strconv.Itoa(model.RowCodecVersion) {
		return rowsHeaderFields{}, false
	}
	count, err := strconv.Atoi(f[4])
	if err != nil || count < 1 {
		return rowsHeaderFields{}, false
	}
	return rowsHeaderFields{maker: f[2], digest: f[3], count: count}, true
}

// errRowsStale is a row snapshot that is not the given scan's.
var errRowsStale = errors.New("the row snapshot is not of this scan")

// errRowsWrong is a row snapshot of the given scan whose next block is
// damaged or does not decode.
var errRowsWrong = errors.New("the row snapshot is damaged")

// rowsReader reads a row snapshot block by block.
type rowsReader struct {
	f    *os.File
	r    *bufio.Reader
	left int64 // the bytes of the file not read yet
	// rowsLeft are the rows the header announces and no block has
	// held yet: a block of more is refused before room is made for
	// them (a forged block of 256 MiB could ask for 7,000,000).
	rowsLeft int64
	// maxBlock bounds a block's bytes: maxBlockLen, or less when only
	// the first block is read (rowsAhead).
	maxBlock int64
	dec      model.RowDecoder
	// block is the last block's bytes, read over by the next: the
	// rows keep copies of their texts, not the block.
	block []byte
}

// openRows opens the row snapshot at path when it is the one of the scan
// snapshot digest of count messages, of rows made as this mxaudit makes
// them (rowMaker): errRowsStale when it is another's (which costs a read
// of its first line).
func openRows(path, digest string, count int) (*rowsReader, error) {
	maker := rowMaker()
	if maker == "" {
		return nil, errRowsStale
	}
	want := rowsHeader(maker, digest, count)
	return openRowsWith(path, func(line string) (int, bool) { return count, line == want })
}

// openRowsWith opens the row snapshot at path when header accepts its
// first line (with its newline) and returns the rows it announces:
// errRowsStale when it does not, or when the file is not a regular file
// that only its owner may write (the cache's own rule, store.OpenCache).
// A FIFO or a link in its place is refused without waiting on it
// (fsx.OpenRegular): a warm start reads the file before anything else.
func openRowsWith(path string, header func(line string) (count int, ok bool)) (*rowsReader, error) {
	f, info, err := fsx.OpenRegular(path)
	switch {
	case errors.Is(err, fsx.ErrNotRegular):
		return nil, errRowsStale
	case err != nil:
		return nil, err
	case info.Mode().Perm()&0o022 != 0:
		f.Close()
		return nil, errRowsStale
	}
	r := bufio.NewReaderSize(f, 64<<10)
	line, err := r.ReadSlice('\n')
	count, ok := header(string(line))
	if err != nil || !ok {
		f.Close()
		return nil, errRowsStale
	}
	return &rowsReader{f: f, r: r, left: info.Size() - int64(len(line)), rowsLeft: int64(count), maxBlock: maxBlockLen}, nil
}

func (rr *rowsReader) Close() error { return rr.f.Close() }

// next reads and decodes the next block: errRowsWrong when it is not
// whole, its checksum fails or its rows do not decode. The block is
// read into a buffer kept for the next one; the rows hold copies of
// their texts only (model.RowDecoder.DecodeBlock).
func (rr *rowsReader) next() ([]model.Row, error) {
	var head [blockHeadLen]byte
	if _, err := io.ReadFull(rr.r, head[:]); err != nil {
		return nil, fmt.Errorf("%w: %v", errRowsWrong, err)
	}
	size, n := int64(binary.LittleEndian.Uint32(head[:4])), binary.LittleEndian.Uint32(head[4:])
	rr.left -= blockHeadLen
	if n == 0 || int64(n) > rr.rowsLeft || int64(n)*int64(model.MinEncodedRowLen) > size || size > rr.maxBlock || size+crc32.Size > rr.left {
		return nil, fmt.Errorf("%w: a block's size", errRowsWrong)
	}
	if int64(cap(rr.block)) < size+crc32.Size {
		rr.block = make([]byte, size+crc32.Size)
		prefault.Bytes(rr.block)
	}
	b := rr.block[:size+crc32.Size]
	if _, err := io.ReadFull(rr.r, b); err != nil {
		return nil, fmt.Errorf("%w: %v", errRowsWrong, err)
	}
	rr.left -= size + crc32.Size
	body := b[:size]
	sum := crc32.Update(crc32.Checksum(head[:], castagnoli), castagnoli, body)
	if sum != binary.LittleEndian.Uint32(b[size:]) {
		return nil, fmt.Errorf("%w: a block's checksum does not hold", errRowsWrong)
	}
	rows := make([]model.Row, n)
	prefault.Slice(rows)
	// The string is read only while the rows decode: DecodeBlock
	// copies what they keep.
	data := unsafe.String(unsafe.SliceData(body), len(body))
	if err := rr.dec.DecodeBlock(data, rows); err != nil {
		return nil, fmt.Errorf("%w: %v", errRowsWrong, err)
	}
	rr.rowsLeft -= int64(n)
	return rows, nil
}

// saveRows writes rows as the row snapshot at path for the scan
// snapshot digest, replacing any other at once (fsx.WriteFile); it
// writes nothing when what makes its rows cannot be named (rowMaker).
func saveRows(path, digest string, rows []*model.Row) error {
	maker := rowMaker()
	if maker == "" {
		return nil
	}
	sweepRowsTemps(path)
	return fsx.WriteFile(path, nil, 0o600, fsx.Ops{Write: func(f *os.File, _ []byte) error {
		w := bufio.NewWriterSize(f, 256<<10)
		if _, err := w.WriteString(rowsHeader(maker, digest, len(rows))); err != nil {
			return err
		}
		var enc model.RowEncoder
		block := make([]byte, blockHeadLen)
		for len(rows) > 0 {
			n := min(len(rows), rowsPerBlock)
			block = block[:blockHeadLen]
			for _, r := range rows[:n] {
				block = enc.Append(block, r)
			}
			rows = rows[n:]
			size := len(block) - blockHeadLen
			if size > maxBlockLen {
				return fmt.Errorf("a block of %d rows takes %d bytes", n, size)
			}
			binary.LittleEndian.PutUint32(block[:4], uint32(size))
			binary.LittleEndian.PutUint32(block[4:blockHeadLen], uint32(n))
			block = binary.LittleEndian.AppendUint32(block, crc32.Checksum(block, castagnoli))
			if _, err := w.Write(block); err != nil {
				return err
			}
		}
		return w.Flush()
	}})
}

// sweepRowsTemps removes the temporary files of writes of path that
// never finished: a console that quits while it keeps its list leaves
// one of tens of megabytes, which nothing else would remove. Only those
// an hour old, so as not to take one another process is writing.
func sweepRowsTemps(path string) {
	temps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp"))
	for _, t := range temps {
		if fi, err := os.Lstat(t); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > time.Hour {
			_ = os.Remove(t)
		}
	}
}

// rowsTarget is where the rows of a scan may be kept: its scan
// snapshot's digest and listing (see ScanRows).
type rowsTarget struct {
	path   string
	digest string
	ids    listedIDs
	// extra counts the rows of the scan's list that are not kept: the
	// new mail after a snapshot's listing (snapshotListTarget).
	extra int
	// snapRows, by ID, are kept in place of the scan's rows of those
	// messages: the snapshot's own, where new mail paired from its tail
	// changed them (snapshotRowsTarget).
	snapRows map[model.MessageID]*model.Row
}

// keep writes rows, the list of the scan t is of, as the row snapshot
// for the next start, in the listing's order (pairing emits a ZIP mail
// after the mails that came within its window): those of t's IDs, of
// which rows holds one each and extra more. It does nothing when rows
// are not that (one left or came meanwhile).
func (t *rowsTarget) keep(rows []*model.Row) error {
	if len(rows) != t.ids.len()+t.extra {
		return nil
	}
	listed, ok := inListingOrder(t.ids, rows)
	if !ok {
		return nil
	}
	if len(t.snapRows) > 0 {
		for i := range t.ids.len() {
			if r := t.snapRows[t.ids.at(i)]; r != nil {
				listed[i] = r
			}
		}
	}
	if err := saveRows(t.path, t.digest, listed); err != nil {
		return fmt.Errorf("the list could not be kept for the next start: %w", err)
	}
	return nil
}

// inListingOrder returns the rows of ids, in their order, from rows,
// which hold one row for each and may hold rows of other messages (new
// mail after a snapshot's listing); false when one has no row or two
// (which would be the scan's?), or an ID is listed twice. The rows come
// in the order the scan emitted them: the listing's, but for the
// messages pairing held, emitted once settled, and the new mail last.
// They are matched in that order, and only the IDs passed over wait in
// a map for their rows: a map of every row took 61 MB at a million
// messages, at the console's peak.
func inListingOrder(ids listedIDs, rows []*model.Row) ([]*model.Row, bool) {
	n := ids.len()
	listed := make([]*model.Row, n)
	passed := map[model.MessageID]int{}  // listed before the rows reached it
	next := 0                            // the first place not yet matched or passed
	others := map[model.MessageID]bool{} // rows of no ID ahead: new mail, or a row again
	for _, r := range rows {
		id := r.ID()
		if at, ok := passed[id]; ok {
			listed[at] = r
			delete(passed, id)
			continue
		}
		at := next
		for at < n && ids.at(at) != id {
			at++
		}
		// The IDs passed over wait for their rows; a row of no ID
		// ahead (new mail, or one given twice) passes over all the
		// rest, which then wait in the map (at worst the map of every
		// row there was), but the search never goes over an ID twice.
		for ; next < at; next++ {
			if _, twice := passed[ids.at(next)]; twice {
				return nil, false // an ID listed twice
			}
			passed[ids.at(next)] = next
		}
		if at < n {
			listed[at], next = r, at+1
		} else {
			others[id] = true // new mail, or a listed message's row again
		}
	}
	if next != n || len(passed) > 0 {
		return nil, false
	}
	if len(others) > 0 {
		for i := range n {
			if others[ids.at(i)] {
				return nil, false // two rows of one message: which is the scan's?
			}
		}
	}
	return listed, true
}

// newRowsGen begins a scan: it forgets the last scan's row replay, and
// returns the new scan's number.
func (a *App) newRowsGen() uint64 {
	a.rowsMu.Lock()
	defer a.rowsMu.Unlock()
	a.dropRowReplayLocked()
	a.listStamp, a.listSum = "", nil
	return a.rowsGen
}

// dropRowReplayLocked starts a new generation of rows, so that a scan
// still running installs no row replay, and lets the current replay (and
// its slot file) go. The caller holds rowsMu.
func (a *App) dropRowReplayLocked() {
	a.rowsGen++
	if a.rowReplay != nil {
		a.rowReplay.close()
	}
	a.rowReplay = nil
}

// setRowReplay makes rr what Message reads from, unless another scan
// than gen has begun since; it reports whether it did.
func (a *App) setRowReplay(gen uint64, rr *rowReplay) bool {
	a.rowsMu.Lock()
	defer a.rowsMu.Unlock()
	if gen != a.rowsGen {
		return false
	}
	a.rowReplay = rr
	return true
}

// unsetRowReplay lets rr go, and makes it no longer what Message reads
// from if it is: a scan that handed none of its rows out (replayRows)
// emits messages instead, which the console keeps itself.
func (a *App) unsetRowReplay(rr *rowReplay) {
	a.rowsMu.Lock()
	defer a.rowsMu.Unlock()
	if a.rowReplay == rr {
		a.rowReplay = nil
	}
	rr.close()
}

// lastRowReplay is the row replay Message reads from; nil for none.
func (a *App) lastRowReplay() *rowReplay {
	a.rowsMu.Lock()
	defer a.rowsMu.Unlock()
	return a.rowReplay
}
