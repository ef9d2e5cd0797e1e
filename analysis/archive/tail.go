package archive

import (
	"bytes"
	"errors"
	"io"

	"mxaudit/model"
)

// TailLen is how much of the end of an attachment too large to buffer is
// kept: the end record and the longest comment (APPNOTE 4.3.16). A
// central directory that fits in it too can still be read.
const TailLen = maxEndSearch

// InspectTail lists what the central directory says of a ZIP too large to
// buffer, from the last bytes of the attachment: tail holds bytes
// [total-len(tail), total). The entries are named and their encryption
// read from the directory records (APPNOTE 4.3.12, 4.4.4 bit 0, the 0x9901
// field), so that an encrypted archive over the size limit is still
// encrypted; nothing is opened, so the listing is truncated and
// not-inspected. It returns nil when the tail holds no end record whose
// directory lies in the tail.
func InspectTail(tail []byte, total int64, lim Limits) *model.Archive {
	lim = lim.withDefaults()
	r := &tailReader{b: tail, start: total - int64(len(tail))}
	endOff, end := findEndRecord(bytes.NewReader(tail), int64(len(tail)))
	if endOff < 0 {
		return nil
	}
	endOff += r.start
	d, ok := readDirLocation(r, endOff, end)
	if !ok || d.cdStart < r.start {
		return nil
	}
	recs := centralRecords(r, total, d, lim.MaxEntries)
	if len(recs) == 0 {
		return nil
	}
	a := &model.Archive{Format: "zip", TotalEntries: int(min(d.records, 1<<31-1)), Truncated: true,
		Risks: []model.Risk{model.RiskNotInspected}}
	for _, rec := range recs {
		e := model.Entry{Name: decodeName(rec.name, rec.flags, rec.extra)}
		e.Encrypted, e.Encryption = entryEncryption(rec.flags, rec.method, rec.extra)
		e.Risks = entryNameRisks(e.Name)
		a.Entries = append(a.Entries, e)
		addEntryEncryption(a, &a.Entries[len(a.Entries)-1])
	}
	return a
}

// tailReader reads absolute offsets of a file of which only the bytes
// from start on are held.
type tailReader struct {
	b     []byte
	start int64
}

var errBeforeTail = errors.New("offset before the bytes kept")

func (t *tailReader) ReadAt(p []byte, off int64) (int, error) {
	if off < t.start {
		return 0, errBeforeTail
	}
	i := off - t.start
	if i >= int64(len(t.b)) {
		return 0, io.EOF
	}
	n := copy(p, t.b[i:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
