package app

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"unsafe"

	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/model/store/fsx"
)

// A row snapshot is what the console's list showed after a scan whose
// outcome the cache's scan snapshot records (snapshotKey): every
// message's row (model.Row), in listing order, in a file beside the
// cache's, marked with that snapshot's digest. A console that reopens an
// unchanged source reads it and lists those rows (App.ScanRows) instead
// of reading, decoding, keeping and listing every cached result again;
// the one message a view needs is read from the cache when it is asked
// for (App.Message). At 100,000 messages that is one read of about 45 MB
// instead of 100,000 records decoded, encoded again into the console's
// spill and turned into rows.
//
// The file is used only when the scan snapshot is replayed (the same
// listing, the same cached results, the same pairing settings: the same
// digest) and it was written by a version of mxaudit that computes rows
// the same way (model.RowCodecVersion). Its rows come in blocks, each
// with its own checksum, so that the first are listed as soon as they
// are read; a block that is damaged, or whose rows do not name the
// listed messages in the listing's order, ends the rows, and the scan
// replays the rest of the messages as before.
//
// The layout: a header line "mxaudit-rows <version> <digest> <count>",
// then blocks, each the number of its rows and its length as varints,
// the rows as one model.RowEncoder encodes them all, and the CRC-32C of
// those bytes, little-endian: the check the cache's own records carry.
const rowsMagic = "mxaudit-rows"

// rowsPath is the row snapshot's file for the cache file cachePath.
func rowsPath(cachePath string) string { return cachePath + ".rows" }

// rowsPerBlock is how many rows a block holds, but for the last; a
// variable for tests.
var rowsPerBlock = 1024

// maxBlockRows bounds the rows of a block read.
const maxBlockRows = 1 << 16

// maxBlockLen bounds a block read: a row's text is bounded (its search
// text by the message's header), and a block past this is not one we
// wrote.
const maxBlockLen = 256 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rowsHeader is the file's first line.
func rowsHeader(digest string, count int) string {
	return fmt.Sprintf("%s %d %s %d\n", rowsMagic, model.RowCodecVersion, digest, count)
}

// errRowsStale is a row snapshot that is not the given scan's.
var errRowsStale = errors.New("the row snapshot is not of this scan")

// errRowsWrong is a row snapshot of the given scan whose next block is
// damaged or does not decode.
var errRowsWrong = errors.New("the row snapshot is damaged")

// rowsReader reads a row snapshot block by block.
type rowsReader struct {
	f   *os.File
	r   *bufio.Reader
	dec model.RowDecoder
}

// openRows opens the row snapshot at path when it is the one of the
// scan snapshot digest of count messages: errRowsStale when it is
// another's (which costs a read of its first line).
func openRows(path, digest string, count int) (*rowsReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	header := rowsHeader(digest, count)
	r := bufio.NewReaderSize(f, 64<<10)
	line, err := r.Peek(len(header))
	if err != nil || string(line) != header {
		f.Close()
		return nil, errRowsStale
	}
	_, _ = r.Discard(len(header))
	return &rowsReader{f: f, r: r}, nil
}

func (rr *rowsReader) Close() error { return rr.f.Close() }

// next reads and decodes the next block: errRowsWrong when it is not
// whole, its checksum fails or its rows do not decode. The rows point
// into the block's bytes, read once and never changed.
func (rr *rowsReader) next() ([]model.Row, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRowsWrong, err)
	}
	size, err := binary.ReadUvarint(rr.r)
	if err != nil || n == 0 || n > maxBlockRows || size > maxBlockLen {
		return nil, fmt.Errorf("%w: a block's size", errRowsWrong)
	}
	b := make([]byte, size+crc32.Size)
	if _, err := io.ReadFull(rr.r, b); err != nil {
		return nil, fmt.Errorf("%w: %v", errRowsWrong, err)
	}
	body := b[:size]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[size:]) {
		return nil, fmt.Errorf("%w: a block's checksum does not hold", errRowsWrong)
	}
	// The rows are slices of this string: the bytes are not changed
	// again, and a copy is what this file saves.
	data := unsafe.String(unsafe.SliceData(body), len(body))
	rows := make([]model.Row, n)
	for i := range rows {
		if rows[i], data, err = rr.dec.Decode(data); err != nil {
			return nil, fmt.Errorf("%w: %v", errRowsWrong, err)
		}
	}
	if data != "" {
		return nil, fmt.Errorf("%w: bytes after a block's rows", errRowsWrong)
	}
	return rows, nil
}

// saveRows writes rows as the row snapshot at path for the scan
// snapshot digest, replacing any other at once (fsx.WriteFile).
func saveRows(path, digest string, rows []*model.Row) error {
	return fsx.WriteFile(path, nil, 0o600, fsx.Ops{Write: func(f *os.File, _ []byte) error {
		w := bufio.NewWriterSize(f, 256<<10)
		if _, err := w.WriteString(rowsHeader(digest, len(rows))); err != nil {
			return err
		}
		var enc model.RowEncoder
		var block, head []byte
		for len(rows) > 0 {
			n := min(len(rows), rowsPerBlock)
			block = block[:0]
			for _, r := range rows[:n] {
				block = enc.Append(block, r)
			}
			rows = rows[n:]
			head = binary.AppendUvarint(binary.AppendUvarint(head[:0], uint64(n)), uint64(len(block)))
			block = binary.LittleEndian.AppendUint32(block, crc32.Checksum(block, castagnoli))
			if _, err := w.Write(head); err != nil {
				return err
			}
			if _, err := w.Write(block); err != nil {
				return err
			}
		}
		return w.Flush()
	}})
}

// rowsTarget is where the rows of the scan just finished may be kept:
// its scan snapshot's digest and listing (see App.KeepRows).
type rowsTarget struct {
	path   string
	digest string
	ids    []model.MessageID
}

// KeepRows keeps rows, the list of the scan just finished, for the next
// ScanRows of an unchanged source, in the listing's order (pairing
// emits a ZIP mail after the mails that came within its window). It
// does nothing when that scan's outcome is not one the cache's snapshot
// records, or when rows are not one of each listed message (one left or
// came meanwhile); it is called once per scan, off the console's Update.
func (a *App) KeepRows(rows []*model.Row) error {
	t := a.rowsTarget.Swap(nil)
	if t == nil || len(rows) != len(t.ids) {
		return nil
	}
	byID := make(map[model.MessageID]*model.Row, len(rows))
	for _, r := range rows {
		byID[r.ID()] = r
	}
	listed := make([]*model.Row, len(t.ids))
	for i, id := range t.ids {
		if listed[i] = byID[id]; listed[i] == nil {
			return nil
		}
	}
	if err := saveRows(t.path, t.digest, listed); err != nil {
		return fmt.Errorf("the list could not be kept for the next start: %w", err)
	}
	return nil
}

// setRowsTarget records where the rows of the scan just finished may be
// kept.
func (a *App) setRowsTarget(cache *store.Cache, digest string, ids []model.MessageID) {
	a.rowsTarget.Store(&rowsTarget{path: rowsPath(cache.Path()), digest: digest, ids: ids})
}
