package model

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// RowCodecVersion names what RowEncoder writes and what NewRow computes:
// rows kept on disk (ui/app's row snapshot) are used only by an mxaudit
// of the same version and the same source of this package (SourceSum;
// ui/app's rowMaker names both), another build included. The source's
// sum changes with any change here; the version is bumped when the
// codec's format changes, for readers to tell.
const RowCodecVersion = 3

// A row's encoding, in a stream of rows one encoder wrote:
//
//   - its text, as a length and its bytes;
//   - its verdict columns, as the number of the set in the stream (a
//     quarantine has a few dozen), a new number followed by the set's
//     eight strings;
//   - its lists (rowLists) the same way, a new set followed by its two
//     strings;
//   - each field's place in the text, the date, the size, the senders'
//     places, where the Message-ID starts and the flags, as varints
//     (places as start and length);
//   - the sum of the message it was made from (ContentSum), as a field
//     of 16 bytes, or of none for the zero sum.
//
// A row's exception is not encoded: it is policy state, which the
// console applies to every row it lists (Policy.AnnotateRow); a decoded
// row has none. Nor are the ranks its columns sort on: every row's are
// derived from its verdicts and flags (rowranks.go), so that they never
// disagree with what it shows.

// RowEncoder encodes rows for a RowDecoder. The zero value is ready to
// use; one encoder writes one stream.
type RowEncoder struct {
	verdicts map[RowVerdicts]uint64
	// lists numbers the lists sets written, up to maxInterned of them
	// remembered; nLists counts them all, remembered or not.
	lists  map[rowLists]uint64
	nLists uint64
}

// Append appends the encoding of r, without its exception, to b.
func (e *RowEncoder) Append(b []byte, r *Row) []byte {
	b = appendField(b, r.text)
	v := RowVerdicts{}
	if r.RowVerdicts != nil {
		v = *r.RowVerdicts
	}
	if n, ok := e.verdicts[v]; ok {
		b = binary.AppendUvarint(b, n)
	} else {
		if e.verdicts == nil {
			e.verdicts = map[RowVerdicts]uint64{}
		}
		n := uint64(len(e.verdicts))
		e.verdicts[v] = n
		b = binary.AppendUvarint(b, n)
		for _, s := range [...]string{string(v.SPF), string(v.DKIM), string(v.DMARC), string(v.Policy),
			string(v.Disposition), string(v.Attachment), string(v.Auth), string(v.Encryption)} {
			b = appendField(b, s)
		}
	}
	var l rowLists
	if r.lists != nil {
		l = *r.lists
	}
	if n, ok := e.lists[l]; ok {
		b = binary.AppendUvarint(b, n)
	} else {
		b = binary.AppendUvarint(b, e.nLists)
		b = appendField(appendField(b, l.to), l.domains)
		if e.lists == nil {
			e.lists = map[rowLists]uint64{}
		}
		if len(e.lists) < maxInterned {
			e.lists[l] = e.nLists
		}
		e.nLists++
	}
	p := r.places()
	for _, s := range p.span {
		b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(s.start)), uint64(s.end-s.start))
	}
	b = binary.AppendVarint(b, r.dateSec)
	b = binary.AppendVarint(b, int64(r.dateNsec))
	b = binary.AppendVarint(b, r.Size)
	for _, at := range p.fromAt {
		b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(at.start)), uint64(at.end-at.start))
	}
	b = binary.AppendUvarint(b, uint64(p.msgidAt))
	b = binary.AppendUvarint(b, uint64(r.flags))
	if r.content.IsZero() {
		return appendField(b, "")
	}
	return appendField(b, string(r.content[:]))
}

func appendField(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// errBadRow is what RowDecoder returns for bytes a RowEncoder did not
// write.
var errBadRow = errors.New("not an encoded row")

// MinEncodedRowLen is the fewest bytes a row takes in a stream: each of
// the 39 numbers Decode reads (the text's length, the verdict set's,
// the lists', two a place, the date, its nanoseconds, the size,
// msgidAt, the flags and the content sum's length) takes a byte at
// least, and a row whose sets came before and whose sum is zero takes
// no more. A reader bounds by it the rows a block of
// bytes can hold, before it makes room for them.
const MinEncodedRowLen = 3 + 2*(int(numRowFields)+len(rowPlaces{}.fromAt)) + 6

// RowDecoder decodes a stream of rows that a RowEncoder wrote. The rows
// Decode returns point into the stream for their texts, and keep it
// alive; DecodeBlock copies the texts out. The rows share their verdict
// columns and their lists, copied out of the stream, as a table's rows
// do. The zero value is ready to use.
type RowDecoder struct {
	verdicts []*RowVerdicts
	// lists are the lists sets decoded, the first maxInterned of them,
	// the ones an encoder refers back to (RowEncoder.lists); nLists
	// counts them all. in shares their strings across sets.
	lists  []*rowLists
	nLists uint64
	in     interner
}

// Decode decodes the row at the start of data and returns it with the
// rest of data. Every place the row keeps is checked to lie within its
// own text, so that bytes an encoder did not write give an error, never
// a row that reads past its text or into another field's.
func (d *RowDecoder) Decode(data string) (Row, string, error) {
	rd := rowReader{data: data, ok: true}
	var r Row
	r.text = rd.field()
	if n := rd.uvarint(); n < uint64(len(d.verdicts)) {
		r.RowVerdicts = d.verdicts[n]
	} else if n == uint64(len(d.verdicts)) && rd.ok {
		var s [8]string
		for i := range s {
			s[i] = rd.field()
		}
		// Cloned: the verdicts outlive data, which DecodeBlock's
		// caller reuses.
		for i := range s {
			s[i] = strings.Clone(s[i])
		}
		r.RowVerdicts = &RowVerdicts{SPF: Result(s[0]), DKIM: Result(s[1]), DMARC: Result(s[2]), Policy: Disposition(s[3]),
			Disposition: Disposition(s[4]), Attachment: AttachmentVerdict(s[5]), Auth: AuthVerdict(s[6]), Encryption: Encryption(s[7])}
		if rd.ok {
			d.verdicts = append(d.verdicts, r.RowVerdicts)
		}
	} else {
		return Row{}, "", errBadRow
	}
	if n := rd.uvarint(); n < uint64(len(d.lists)) {
		r.lists = d.lists[n]
	} else if n == d.nLists && rd.ok {
		to, domains := rd.field(), rd.field()
		if rd.ok {
			// Cloned, as the verdicts are: the interner keeps the
			// strings it is given when it is full.
			r.lists = d.in.lists(strings.Clone(to), strings.Clone(domains))
			if len(d.lists) < maxInterned {
				d.lists = append(d.lists, r.lists)
			}
			d.nLists++
		}
	} else {
		return Row{}, "", errBadRow
	}
	var p rowPlaces
	for i := range p.span {
		start, end := rd.place()
		p.span[i] = textSpan{start, end}
	}
	r.dateSec = rd.varint()
	nsec := rd.varint()
	r.Size = rd.varint()
	for i := range p.fromAt {
		start, end := rd.place()
		p.fromAt[i] = textSpan{start, end}
	}
	p.msgidAt = rd.uint32()
	r.flags = RowFlags(rd.uint32())
	switch sum := rd.field(); len(sum) {
	case 0:
	case len(r.content):
		copy(r.content[:], sum)
	default:
		rd.fail()
	}
	if r.flags&rowHasDate == 0 {
		// A row without a date holds time.Time's zero, as NewRow makes
		// it: one that held another would sort by it (compareDate) and
		// by the zero (datePrefix, from Date) at once.
		r.dateSec, nsec = zeroDateSec, 0
	}
	if !rd.ok || nsec < 0 || nsec >= 1e9 || r.dateSec > maxRowUnix {
		return Row{}, "", errBadRow
	}
	r.dateNsec = int32(nsec)
	if err := p.check(len(r.text)); err != nil {
		return Row{}, "", err
	}
	r.setPlaces(&p)
	return r, rd.data, nil
}

// DecodeBlock decodes len(rows) rows, all that data holds, into rows,
// and copies their texts into one allocation of exactly their length,
// so that the rows keep nothing of data: the caller may reuse it. A
// row snapshot's block holds, beside the texts, about 55 bytes a row of
// places and numbers (the generated quarantines' rows take 433 bytes
// encoded and 378 of text), which rows pointing into the block kept for
// as long as they were listed: 55 MB at a million messages. Copying the
// texts adds about a fifth to decoding them (BenchmarkRowDecodeBlock:
// 600 ns a row, against 490 for Decode alone).
func (d *RowDecoder) DecodeBlock(data string, rows []Row) error {
	n := 0
	for i := range rows {
		var err error
		if rows[i], data, err = d.Decode(data); err != nil {
			return err
		}
		n += len(rows[i].text)
	}
	if data != "" {
		return fmt.Errorf("%w: bytes after the rows", errBadRow)
	}
	texts := make([]byte, 0, n)
	for i := range rows {
		r := &rows[i]
		if r.text == "" {
			r.text = "" // not an empty slice of data
			continue
		}
		start := len(texts)
		texts = append(texts, r.text...)
		r.text = unsafe.String(&texts[start], len(r.text))
	}
	return nil
}

// check checks what a row's accessors slice, in a text of textLen
// bytes: the spans within the text, the search text first, and the
// places in it within it.
func (p *rowPlaces) check(textLen int) error {
	n := uint64(textLen)
	for f, s := range p.span {
		if s.start > s.end || uint64(s.end) > n {
			return fmt.Errorf("%w: field %d at %d–%d of a text of %d bytes", errBadRow, f, s.start, s.end, n)
		}
	}
	hay := p.span[fieldHay]
	if hay.start != 0 || p.msgidAt > hay.end {
		return fmt.Errorf("%w: its search text is out of place", errBadRow)
	}
	for _, at := range p.fromAt {
		if at.start > at.end || at.end > hay.end {
			return fmt.Errorf("%w: a sender's place is outside its search text", errBadRow)
		}
	}
	return nil
}

// rowReader reads the parts of an encoded row; ok turns false, for good,
// at the first that is not there or out of range.
type rowReader struct {
	data string
	ok   bool
}

func (rd *rowReader) uvarint() uint64 {
	if !rd.ok {
		return 0
	}
	n, w := uvarint(rd.data)
	if w <= 0 {
		rd.fail()
		return 0
	}
	rd.data = rd.data[w:]
	return n
}

func (rd *rowReader) varint() int64 {
	u := rd.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (rd *rowReader) uint32() uint32 {
	n := rd.uvarint()
	if n > math.MaxUint32 {
		rd.fail()
		return 0
	}
	return uint32(n)
}

// place reads a start and a length as the [start, end) they make.
func (rd *rowReader) place() (uint32, uint32) {
	start, n := rd.uint32(), rd.uint32()
	if uint64(start)+uint64(n) > math.MaxUint32 {
		rd.fail()
		return 0, 0
	}
	return start, start + n
}

func (rd *rowReader) field() string {
	n := rd.uvarint()
	if n > uint64(len(rd.data)) {
		rd.fail()
		return ""
	}
	s := rd.data[:n]
	rd.data = rd.data[n:]
	return s
}

func (rd *rowReader) fail() { rd.ok, rd.data = false, "" }
