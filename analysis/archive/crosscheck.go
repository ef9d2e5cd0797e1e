package archive

import (
	stdzip "archive/zip"
	"fmt"
	"io"
	"strings"

	"mxaudit/model"
)

// A ZIP says everything twice: in the central directory (APPNOTE 4.3.12),
// which archive/zip and Info-ZIP's unzip trust, and in the local header
// before the data (4.3.7), which 7-Zip, streaming readers and repair tools
// trust. An attacker who clears the encryption bit in one copy, or renames
// the WinZip AES field (APPNOTE 4.4.4 bit 0, 7.2 bit 6, the 0x9901 field of
// the AE-x specification) gets "not encrypted" from a scanner that reads
// only one. crossCheck reads both: an entry is encrypted when either copy
// says so, and any disagreement on what a reader needs is a risk.

// mismatchFlags are the general-purpose bits a reader acts on when it
// decides whether and how to decrypt.
const mismatchFlags = flagEncrypted | flagStrong | flagMaskedHeaders

// crossCheck pairs the listed entries of the archive in r with their
// central records and local headers, folds the local header's encryption
// into each entry, records disagreements, and reports data in front of
// the first local header (a self-extractor stub, or junk the central
// directory's offsets skip).
func (in *inspector) crossCheck(a *model.Archive, r io.ReaderAt, size int64, files []*stdzip.File) {
	endOff, end := findEndRecord(r, size)
	if endOff < 0 {
		return
	}
	d, ok := readDirLocation(r, endOff, end)
	if !ok {
		return
	}
	recs := centralRecords(r, size, d, len(files))
	first := int64(-1)
	// Where each listed entry's local header and data are, for orphans.
	used := make([][2]int64, 0, len(recs))
	paired := len(recs) == len(files) && uint64(len(recs)) == d.records
	for i, rec := range recs {
		if i >= len(files) || files[i].Name != rec.name {
			paired = false
			break // archive/zip read another directory: nothing to pair
		}
		if first < 0 || rec.local < first {
			first = rec.local
		}
		lh, ok := localView(r, size, rec.local)
		if !ok {
			paired = false
			continue // checkLayout already calls the archive broken
		}
		used = append(used, [2]int64{rec.local, rec.local + localHeaderLen + int64(len(lh.name)+len(lh.extra)) +
			clampInt64(files[i].CompressedSize64)})
		e := &a.Entries[i]
		// Encryption is folded in whatever bit 13 says: a reader that
		// trusts the local header decrypts when its bit 0 is set, so
		// an attacker must not be able to hide it behind bit 13.
		localEnc, localMethod := entryEncryption(lh.flags, lh.method, lh.extra)
		if localEnc {
			e.Encrypted = true
			e.Encryption = e.Encryption.Stronger(localMethod)
			addEntryEncryption(a, e)
		}
		if lh.flags&flagMaskedHeaders != 0 && rec.flags&flagMaskedHeaders != 0 {
			// Both copies say the central directory is encrypted
			// (APPNOTE 7.2.2): the local values are masked by design,
			// so the other fields may legitimately differ.
			continue
		}
		if diff := describeMismatch(rec.headerView, lh); diff != "" {
			e.Mismatch = diff
			e.Risks = model.AddRisk(e.Risks, model.RiskHeaderMismatch)
		}
	}
	if first > 0 {
		a.Risks = model.AddRisk(a.Risks, model.RiskPrefixedData)
	}
	if paired {
		in.orphanLocals(a, r, d.cdStart, used)
	}
}

// describeMismatch names the fields on which the two headers disagree,
// with both values, or returns "".
func describeMismatch(cd, lh headerView) string {
	var diffs []string
	if cd.flags&mismatchFlags != lh.flags&mismatchFlags {
		diffs = append(diffs, fmt.Sprintf("encryption flags 0x%04x in the central directory, 0x%04x in the local header",
			cd.flags&mismatchFlags, lh.flags&mismatchFlags))
	}
	if cd.method != lh.method {
		diffs = append(diffs, fmt.Sprintf("method %d in the central directory, %d in the local header", cd.method, lh.method))
	}
	cdAES, cdHas := extraField(cd.extra, extraWinZipAES)
	lhAES, lhHas := extraField(lh.extra, extraWinZipAES)
	if cdHas != lhHas || (cdHas && len(cdAES) >= 5 && len(lhAES) >= 5 && cdAES[4] != lhAES[4]) {
		diffs = append(diffs, fmt.Sprintf("WinZip AES field %s in the central directory, %s in the local header",
			describeAES(cdAES, cdHas), describeAES(lhAES, lhHas)))
	}
	if cd.name != lh.name {
		diffs = append(diffs, fmt.Sprintf("name %q in the central directory, %q in the local header",
			strings.ToValidUTF8(cd.name, "\uFFFD"), strings.ToValidUTF8(lh.name, "\uFFFD")))
	}
	return strings.Join(diffs, "; ")
}

func describeAES(f []byte, ok bool) string {
	switch {
	case !ok:
		return "absent"
	case len(f) < 5:
		return "malformed"
	}
	return fmt.Sprintf("strength %d", f[4])
}
