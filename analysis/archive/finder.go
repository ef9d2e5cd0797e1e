package archive

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
)

// Readers disagree on where an archive is: archive/zip and Info-ZIP start
// from the last end-of-central-directory record, 7-Zip scans forward for
// the first signature it knows, self-extractors start after their stub.
// An attacker who concatenates two archives, or puts junk or a GIF header
// in front of one, shows each reader a different file. So the finder
// scans the whole buffer for every signature a reader would act on and
// returns every archive it implies; Inspect lists them all.

// Signatures the finder looks for.
const (
	sigLocal  = "PK\x03\x04"         // ZIP local file header (APPNOTE 4.3.7)
	sigEnd    = "PK\x05\x06"         // ZIP end of central directory record (APPNOTE 4.3.16)
	sig7z     = "7z\xBC\xAF\x27\x1C" // 7z signature header (7zFormat.txt, "SignatureHeader")
	sigRAR    = "Rar!\x1A\x07"       // RAR 4 ("\x00" follows) and RAR 5 ("\x01\x00" follows)
	maxSpans  = 64                   // archives reported per buffer; more is an attack in itself
	maxLocals = 1 << 16              // local headers remembered per buffer
	scanBlock = 256 << 10            // bytes read per step of the scan
	sigMaxLen = len(sig7z)           // overlap between blocks, so no signature is split
)

// Span is one archive found in a buffer: its format and the bytes
// [Start, End) it occupies. Local marks a ZIP found only by its local
// headers (no end record: truncated, or hidden from readers that trust
// the central directory).
type Span struct {
	Format     string
	Start, End int64
	Local      bool
	// open is set when the format does not say where the archive ends.
	open bool
	// For a ZIP placed by its end record: where its central directory
	// starts and where the end record is (APPNOTE 4.3.12, 4.3.16).
	dirStart, eocd int64
}

// hits are the signature offsets found in one buffer, in ascending order,
// and the ZIPs placed by the end records that validate.
type hits struct {
	locals, sevenZips, rars []int64
	zips                    []Span
	// capped is set when a limit dropped signatures: what they would
	// have shown was not looked at.
	capped bool
}

// scanSignatures reads r once, in blocks, and records every signature.
// An end record signature counts only when it places a ZIP (zipSpan), so
// that junk "PK\x05\x06" bytes in a prefix cannot use up the limit and
// push the real end record out; at the limit the latest one replaces the
// last kept, because the last end record is the one archive/zip and unzip
// read (APPNOTE 4.3.16 puts it at the end of the file).
func scanSignatures(r io.ReaderAt, size int64) hits {
	var h hits
	// Most attachments are small: a buffer of their size, not a block,
	// keeps the scan from clearing 256 KiB per file.
	buf := make([]byte, min(size, scanBlock)+int64(sigMaxLen)-1)
	for off := int64(0); off < size; off += scanBlock {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		b := buf[:n]
		// Only offsets inside this block count: the overlap belongs to
		// the next one.
		limit := min(n, scanBlock)
		for i := 0; i < limit; {
			j := bytes.Index(b[i:], []byte("PK"))
			if j < 0 || i+j >= limit {
				break
			}
			i += j
			if i+4 <= n {
				switch string(b[i : i+4]) {
				case sigLocal:
					if len(h.locals) < maxLocals {
						h.locals = append(h.locals, off+int64(i))
					}
				case sigEnd:
					if sp, ok := zipSpan(r, size, off+int64(i)); ok {
						if len(h.zips) < maxSpans {
							h.zips = append(h.zips, sp)
						} else {
							h.zips[len(h.zips)-1] = sp
							h.capped = true
						}
					}
				}
			}
			i++
		}
		h.sevenZips = appendAll(h.sevenZips, b, limit, sig7z, off, &h.capped)
		h.rars = appendAll(h.rars, b, limit, sigRAR, off, &h.capped)
	}
	return h
}

// appendAll appends off+i for every occurrence of sig starting before
// limit in b, up to maxSpans in all; it sets *capped when it drops one.
func appendAll(dst []int64, b []byte, limit int, sig string, off int64, capped *bool) []int64 {
	for i := 0; i < limit; {
		j := bytes.Index(b[i:], []byte(sig))
		if j < 0 || i+j >= limit {
			break
		}
		if len(dst) >= maxSpans {
			*capped = true
			break
		}
		dst = append(dst, off+int64(i+j))
		i += j + 1
	}
	return dst
}

// Find returns every archive in r, ordered by offset, leaving out only
// those that lie inside the entry data of a ZIP placed by its end record
// (a stored nested archive is listed as that entry's content). Archives
// inside a 7z or RAR, whose contents are not opened, and archives in a
// ZIP's comment or overlapping its directory are all kept: each valid end
// record is its own view of the bytes, and readers disagree on which one
// counts (review findings 2 and 4). A ZIP is placed by its end record: it
// starts where the central directory's offsets say and ends after its
// comment; a 7z ends where its start header says. Local headers outside
// every ZIP's records make one Local span per run of them. RAR and Local
// spans run to the next span or the end of the buffer.
func Find(r io.ReaderAt, size int64) []Span {
	spans, _ := find(r, size)
	return spans
}

// find is Find that also reports whether a limit left signatures out.
func find(r io.ReaderAt, size int64) ([]Span, bool) {
	h := scanSignatures(r, size)
	spans := h.zips
	for _, off := range h.sevenZips {
		spans = append(spans, sevenZipSpan(r, size, off))
	}
	for _, off := range h.rars {
		if isRARSignature(r, size, off) {
			spans = append(spans, Span{Format: "rar", Start: off, End: size, open: true})
		}
	}
	spans = outermost(spans)
	// Runs of local headers outside every archive found so far: a new
	// run starts when another span lies between it and the previous one.
	var locals []Span
	for _, off := range h.locals {
		if coveredByZip(spans, off) || !plausibleLocal(r, size, off) {
			continue
		}
		if n := len(locals); n > 0 && !startsBetween(spans, locals[n-1].Start, off) {
			continue
		}
		locals = append(locals, Span{Format: "zip", Start: off, End: size, Local: true, open: true})
		if len(locals) >= maxSpans {
			h.capped = true
			break
		}
	}
	spans = outermost(append(spans, locals...))
	// Local spans stop where the next one starts. A RAR runs on: its
	// parser stops at the end-of-archive header, and an archive stored
	// in it must not cut it short (review finding 2).
	for i := range spans {
		if i+1 < len(spans) && spans[i].open && spans[i].Local && spans[i].End > spans[i+1].Start {
			spans[i].End = spans[i+1].Start
		}
	}
	return spans, h.capped
}

// outermost sorts spans by start and drops those that lie inside the
// entry data of a ZIP placed by its end record, or repeat one kept before.
// A span that starts inside an open-ended one is kept: it ends that one.
func outermost(spans []Span) []Span {
	if len(spans) == 0 {
		return spans
	}
	slices.SortStableFunc(spans, func(a, b Span) int {
		if a.Start != b.Start {
			return cmpInt64(a.Start, b.Start)
		}
		if a.open != b.open {
			// Found by an end record and by a local header: keep the
			// one that knows where it ends.
			if a.open {
				return 1
			}
			return -1
		}
		return cmpInt64(b.End, a.End) // the longer first
	})
	zips := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s.Format == "zip" && !s.Local {
			zips = append(zips, s)
		}
	}
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start == out[n-1].Start && (s.open || s.Format != "zip" || out[n-1].Format != "zip" || s.eocd == out[n-1].eocd) {
			continue
		}
		if insideEntries(zips, s) {
			continue
		}
		out = append(out, s)
	}
	if len(out) > maxSpans {
		out = out[:maxSpans]
	}
	return out
}

// startsBetween reports whether a span starts in (from, to).
func startsBetween(spans []Span, from, to int64) bool {
	for _, s := range spans {
		if s.Start > from && s.Start < to {
			return true
		}
	}
	return false
}

// insideEntries reports whether s lies in the entry data (before the
// central directory) of one of the ZIPs in zips: a stored archive there
// is that entry's content, opened as a nested archive. An open-ended span
// counts by its start.
func insideEntries(zips []Span, s Span) bool {
	for _, z := range zips {
		if z.Start == s.Start && z.eocd == s.eocd {
			continue // s itself
		}
		if s.Start >= z.Start && s.Start < z.dirStart && (s.open || s.End <= z.dirStart) {
			return true
		}
	}
	return false
}

// coveredByZip reports whether off lies between the start of a ZIP placed
// by its end record and that end record. A local header in a comment, or
// in a 7z or RAR whose contents are not opened, is not covered.
func coveredByZip(spans []Span, off int64) bool {
	for _, s := range spans {
		if s.Format == "zip" && !s.Local && off >= s.Start && off < s.eocd {
			return true
		}
	}
	return false
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// zipSpan places the ZIP whose end record is at end (APPNOTE 4.3.16): the
// central directory lies just before the end record (or before the Zip64
// end record the locator points to, 4.3.14-15), and the archive starts
// cdOffset bytes before the directory. Offsets that already count a prefix
// (zip -A on a self-extractor) give a start of 0, as archive/zip reads
// them.
func zipSpan(r io.ReaderAt, size, end int64) (Span, bool) {
	var rec [endRecordLen]byte
	if size-end < endRecordLen {
		return Span{}, false
	}
	if _, err := r.ReadAt(rec[:], end); err != nil {
		return Span{}, false
	}
	commentLen := int64(binary.LittleEndian.Uint16(rec[20:]))
	if end+endRecordLen+commentLen > size {
		return Span{}, false
	}
	if binary.LittleEndian.Uint16(rec[4:]) != 0 && binary.LittleEndian.Uint16(rec[4:]) != 0xFFFF {
		return Span{}, false // a multi-disk archive's last disk: not readable alone
	}
	d, ok := readDirLocation(r, end, rec[:])
	if !ok {
		return Span{}, false
	}
	start := max(d.base, 0)
	if start > end {
		return Span{}, false
	}
	return Span{Format: "zip", Start: start, End: end + endRecordLen + commentLen, dirStart: max(d.cdStart, start), eocd: end}, true
}

// isRARSignature checks the byte after "Rar!\x1A\x07": 0x00 for RAR 4,
// 0x01 0x00 for RAR 5 (RAR 5.0 archive format, "General archive layout").
func isRARSignature(r io.ReaderAt, size, off int64) bool {
	var b [8]byte
	n, _ := r.ReadAt(b[:min(int64(len(b)), size-off)], off)
	return (n >= 7 && b[6] == 0) || (n >= 8 && b[6] == 1 && b[7] == 0)
}

// plausibleLocal keeps a local header signature whose name fits in the
// file and whose version needed to extract is one a reader accepts, so
// that four random bytes of compressed data do not make an archive.
func plausibleLocal(r io.ReaderAt, size, off int64) bool {
	var h [localHeaderLen]byte
	if size-off < localHeaderLen {
		return false
	}
	if _, err := r.ReadAt(h[:], off); err != nil {
		return false
	}
	version := binary.LittleEndian.Uint16(h[4:]) & 0xFF
	nameLen := int64(binary.LittleEndian.Uint16(h[26:]))
	extraLen := int64(binary.LittleEndian.Uint16(h[28:]))
	return version <= 63 && nameLen > 0 && off+localHeaderLen+nameLen+extraLen <= size
}
