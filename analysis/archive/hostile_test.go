package archive

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"testing"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// The generator below makes the archives an attacker would send to get
// past a scanner that trusts one reading of the bytes (issue 12): flags
// cleared in one of the two ZIP headers, the WinZip AES field renamed,
// archives concatenated or behind junk, encryption one level down, Zip64
// records whose offsets ignore a prefix. Each starts from a stock writer's
// output (archive/zip or github.com/yeka/zip) and is altered byte by byte.

// hostile is one generated archive and what mxaudit must say about it.
type hostile struct {
	name      string
	data      []byte
	encrypted bool         // some entry, at some depth, is encrypted
	risks     []model.Risk // risks that must be among the attachment's
}

// zipLayout is where the records of a generator-made ZIP are: it has no
// comment, so its end record is its last 22 bytes.
type zipLayout struct {
	central, local []int // offsets of the central records, of the local headers
}

func layoutOf(t testing.TB, b []byte) zipLayout {
	t.Helper()
	end := len(b) - endRecordLen
	if string(b[end:end+4]) != sigEnd {
		t.Fatal("generator: no end record at the end")
	}
	n := int(binary.LittleEndian.Uint16(b[end+10:]))
	off := int(binary.LittleEndian.Uint32(b[end+16:]))
	var l zipLayout
	for range n {
		l.central = append(l.central, off)
		l.local = append(l.local, int(binary.LittleEndian.Uint32(b[off+42:])))
		off += centralHeaderLen + int(binary.LittleEndian.Uint16(b[off+28:])) +
			int(binary.LittleEndian.Uint16(b[off+30:])) + int(binary.LittleEndian.Uint16(b[off+32:]))
	}
	return l
}

// Where the common fields are in each kind of header, and where its name
// and extra field start (APPNOTE 4.3.7 and 4.3.12).
const (
	localFlags, localMethod, localNameLen, localExtraLen, localNames           = 6, 8, 26, 28, 30
	centralFlags, centralMethod, centralNameLen, centralExtraLen, centralNames = 8, 10, 28, 30, 46
)

// disguise rewrites the header at off so that it claims no encryption:
// bit 0 cleared and, for WinZip AES, the 0x9901 field renamed and the
// real method (from inside that field) written back.
func disguise(b []byte, off int, central bool) {
	flags, method, nameLen, extraLen, names := localFlags, localMethod, localNameLen, localExtraLen, localNames
	if central {
		flags, method, nameLen, extraLen, names = centralFlags, centralMethod, centralNameLen, centralExtraLen, centralNames
	}
	binary.LittleEndian.PutUint16(b[off+flags:], binary.LittleEndian.Uint16(b[off+flags:])&^flagEncrypted)
	extra := off + names + int(binary.LittleEndian.Uint16(b[off+nameLen:]))
	end := extra + int(binary.LittleEndian.Uint16(b[off+extraLen:]))
	for p := extra; p+4 <= end; {
		id, size := binary.LittleEndian.Uint16(b[p:]), int(binary.LittleEndian.Uint16(b[p+2:]))
		if id == extraWinZipAES && size >= 7 {
			binary.LittleEndian.PutUint16(b[p:], 0x9909)
			copy(b[off+method:off+method+2], b[p+4+5:p+4+7])
		}
		p += 4 + size
	}
}

// toZip64 rewrites the end of a generator-made ZIP as Zip64 (APPNOTE
// 4.3.14-4.3.16): a Zip64 end record and locator, and a saturated end
// record. The locator's offset counts from the start of b.
func toZip64(b []byte) []byte {
	end := len(b) - endRecordLen
	records := uint64(binary.LittleEndian.Uint16(b[end+10:]))
	cdSize := uint64(binary.LittleEndian.Uint32(b[end+12:]))
	cdOff := uint64(binary.LittleEndian.Uint32(b[end+16:]))
	out := slices.Clone(b[:end])
	z64 := len(out)
	out = append(out, "PK\x06\x06"...)
	out = binary.LittleEndian.AppendUint64(out, 44)
	out = binary.LittleEndian.AppendUint16(out, 45)
	out = binary.LittleEndian.AppendUint16(out, 45)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = binary.LittleEndian.AppendUint64(out, records)
	out = binary.LittleEndian.AppendUint64(out, records)
	out = binary.LittleEndian.AppendUint64(out, cdSize)
	out = binary.LittleEndian.AppendUint64(out, cdOff)
	out = append(out, "PK\x06\x07"...)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = binary.LittleEndian.AppendUint64(out, uint64(z64))
	out = binary.LittleEndian.AppendUint32(out, 1)
	out = append(out, "PK\x05\x06"...)
	out = append(out, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF)
	out = binary.LittleEndian.AppendUint32(out, 0xFFFFFFFF)
	out = binary.LittleEndian.AppendUint32(out, 0xFFFFFFFF)
	return append(out, 0, 0)
}

func cat(parts ...[]byte) []byte { return slices.Concat(parts...) }

// hostileZips builds the hostile variants.
func hostileZips(t testing.TB) []hostile {
	payload := []byte("MZ\x90\x00 this program cannot be run in DOS mode, but 7-Zip will extract it")
	zipCrypto := func() []byte {
		return yekaZipBytes(t, file{name: "payload.exe", data: payload, password: "infected", enc: yzip.StandardEncryption})
	}
	aes := func() []byte {
		return yekaZipBytes(t, file{name: "payload.exe", data: payload, password: "infected", enc: yzip.AES256Encryption})
	}
	plain := stdZipBytes(t, file{name: "readme.txt", data: []byte("nothing to see here")})
	surgery := func(b []byte, central, local bool) []byte {
		l := layoutOf(t, b)
		for i := range l.central {
			if central {
				disguise(b, l.central[i], true)
			}
			if local {
				disguise(b, l.local[i], false)
			}
		}
		return b
	}
	// masked: bit 0 cleared in the central directory, bit 13 (masked
	// local header, APPNOTE 7.2.2) set in the local header, which still
	// says encrypted: 7-Zip decrypts, a scanner that skips masked local
	// headers says plain (review finding 1).
	masked := func(b []byte) []byte {
		l := layoutOf(t, b)
		for i := range l.central {
			disguise(b, l.central[i], true)
			f := binary.LittleEndian.Uint16(b[l.local[i]+localFlags:])
			binary.LittleEndian.PutUint16(b[l.local[i]+localFlags:], f|flagMaskedHeaders)
		}
		return b
	}
	// withComment makes comment the ZIP comment of b (APPNOTE 4.3.16),
	// declaring extra more bytes than there are.
	withComment := func(b, comment []byte, extra int) []byte {
		out := slices.Clone(b)
		binary.LittleEndian.PutUint16(out[len(out)-2:], uint16(len(comment)+extra))
		return append(out, comment...)
	}
	// shadow appends, as b's comment, a second directory listing only b's
	// first entry, and an end record for it: archive/zip reads the last
	// end record and sees only that entry (review finding 4, c5).
	shadow := func(b []byte) []byte {
		l := layoutOf(t, b)
		rec := b[l.central[0]:l.central[1]]
		comment := slices.Clone(rec)
		comment = append(comment, sigEnd...)
		comment = append(comment, 0, 0, 0, 0, 1, 0, 1, 0)
		comment = binary.LittleEndian.AppendUint32(comment, uint32(len(rec)))
		comment = binary.LittleEndian.AppendUint32(comment, uint32(len(b)))
		comment = append(comment, 0, 0)
		return withComment(b, comment, 0)
	}
	mixed := yekaZipBytes(t, file{name: "readme.txt", data: []byte("read me")},
		file{name: "setup.exe", data: payload, password: "infected", enc: yzip.StandardEncryption})
	// sevenZipAround wraps payload in a 7z whose start header
	// (7zFormat.txt, "SignatureHeader") puts the next header after it:
	// the payload is inside the 7z's extent, as a file stored by 7z a -mx0
	// is (review finding 2).
	sevenZipAround := func(payload []byte) []byte {
		next := []byte{0x01, 0x00} // kHeader, kEnd
		start := binary.LittleEndian.AppendUint64(nil, uint64(len(payload)))
		start = binary.LittleEndian.AppendUint64(start, uint64(len(next)))
		start = binary.LittleEndian.AppendUint32(start, crc32.ChecksumIEEE(next))
		out := append([]byte(sig7z), 0, 4)
		out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(start))
		return cat(out, start, payload, next)
	}
	// orphan slips the local header and data of enc's first entry in
	// front of plain's central directory, which does not list it: unzip
	// does not see it, 7-Zip's local-header walk does (review finding 4).
	orphan := func(plain, enc []byte) []byte {
		cdOff := int(binary.LittleEndian.Uint32(plain[len(plain)-6:]))
		hidden := enc[:layoutOf(t, enc).central[0]]
		out := cat(plain[:cdOff], hidden, plain[cdOff:])
		binary.LittleEndian.PutUint32(out[len(out)-6:], uint32(cdOff+len(hidden)))
		return out
	}
	enc, mismatch := []model.Risk{model.RiskExecutable}, []model.Risk{model.RiskExecutable, model.RiskHeaderMismatch}
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	return []hostile{
		{"zipcrypto", zipCrypto(), true, enc},
		{"zipcrypto, central bit 0 cleared", surgery(zipCrypto(), true, false), true, mismatch},
		{"zipcrypto, local bit 0 cleared", surgery(zipCrypto(), false, true), true, mismatch},
		{"aes, central disguised", surgery(aes(), true, false), true, mismatch},
		{"aes, local disguised", surgery(aes(), false, true), true, mismatch},
		{"encrypted then plain", cat(zipCrypto(), plain), true, []model.Risk{model.RiskConcatenated}},
		{"plain then encrypted", cat(plain, aes()), true, []model.Risk{model.RiskConcatenated}},
		{"one junk byte before", cat([]byte("X"), zipCrypto()), true, []model.Risk{model.RiskPrefixedData}},
		{"GIF header before", cat(gif, aes()), true, []model.Risk{model.RiskPrefixedData}},
		{"self-extractor stub before", cat([]byte("MZ\x90\x00"), make([]byte, 200), zipCrypto()), true, []model.Risk{model.RiskPrefixedData}},
		{"encrypted zip stored in a plain zip", stdZipBytes(t, file{name: "inner.zip", data: zipCrypto(), store: true}), true, []model.Risk{model.RiskNestedArchive}},
		{"encrypted zip deflated in a plain zip", stdZipBytes(t, file{name: "docs/inner.zip", data: aes()}), true, []model.Risk{model.RiskNestedArchive}},
		{"encrypted zip two levels down", stdZipBytes(t, file{name: "a.zip", data: stdZipBytes(t, file{name: "b.zip", data: zipCrypto()})}), true, []model.Risk{model.RiskNestedArchive}},
		{"encrypted RAR 5 in a plain zip", stdZipBytes(t, file{name: "inner.rar", data: rar5([]rarFile{{name: "payload.exe", data: payload, encrypted: true}}, false)}), true, []model.Risk{model.RiskNestedArchive, model.RiskExecutable}},
		{"RAR 4 with encrypted headers in a plain zip", stdZipBytes(t, file{name: "inner.bin", data: rar4(nil, true)}), true, []model.Risk{model.RiskNestedArchive, model.RiskEncryptedHeaders}},
		{"junk-prefixed encrypted zip in a plain zip", stdZipBytes(t, file{name: "inner.zip", data: cat([]byte("JUNK"), zipCrypto())}), true, []model.Risk{model.RiskNestedArchive, model.RiskPrefixedData}},
		{"zip64 end records", toZip64(zipCrypto()), true, enc},
		{"zip64 behind junk, locator ignoring it", cat([]byte("JUNKJUNK"), toZip64(aes())), true, []model.Risk{model.RiskPrefixedData}},
		{"zip64, central disguised", toZip64(surgery(zipCrypto(), true, false)), true, mismatch},
		{"masked local header, central bit 0 cleared", masked(zipCrypto()), true, mismatch},
		{"70 junk end record signatures before, local disguised", cat(bytes.Repeat([]byte(sigEnd), 70), surgery(zipCrypto(), false, true)), true, []model.Risk{model.RiskPrefixedData, model.RiskHeaderMismatch}},
		{"encrypted zip inside a 7z", sevenZipAround(zipCrypto()), true, []model.Risk{model.RiskConcatenated}},
		{"encrypted zip stored in a RAR 5", rar5([]rarFile{{name: "report.dat", data: zipCrypto()}}, false), true, []model.Risk{model.RiskConcatenated}},
		{"plain zip in an encrypted zip's comment", withComment(zipCrypto(), plain, 0), true, []model.Risk{model.RiskConcatenated}},
		{"encrypted zip in a plain zip's comment, its comment past the end", withComment(plain, withComment(zipCrypto(), nil, 40), 0), true, []model.Risk{model.RiskConcatenated}},
		{"shadow directory in the comment hides an encrypted entry", shadow(mixed), true, []model.Risk{model.RiskConcatenated}},
		{"encrypted entry no directory record references", orphan(plain, zipCrypto()), true, []model.Risk{model.RiskConcatenated}},
		{"plain", plain, false, nil},
	}
}

// TestHostileZips checks mxaudit's own view of every hostile variant:
// encrypted when the generator encrypted something, with the risks the
// trick must raise.
func TestHostileZips(t *testing.T) {
	for _, h := range hostileZips(t) {
		t.Run(h.name, func(t *testing.T) {
			a := inspectBytes(h.data)
			if got := anyEncrypted(a); got != h.encrypted {
				t.Errorf("encrypted anywhere = %v, want %v", got, h.encrypted)
			}
			risks := a.AllRisks()
			for _, r := range h.risks {
				if !slices.Contains(risks, r) {
					t.Errorf("risks %v lack %s", risks, r)
				}
			}
			if h.risks == nil && len(risks) > 0 {
				t.Errorf("risks %v, want none", risks)
			}
		})
	}
}

// anyEncrypted reports encryption anywhere in a listing.
func anyEncrypted(a *model.Archive) bool {
	if a.Encrypted {
		return true
	}
	for i := range a.Entries {
		if a.Entries[i].Encrypted || (a.Entries[i].Archive != nil && anyEncrypted(a.Entries[i].Archive)) {
			return true
		}
	}
	for _, o := range a.Others {
		if anyEncrypted(o) {
			return true
		}
	}
	return false
}
