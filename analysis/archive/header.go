package archive

import (
	"encoding/binary"
	"hash/crc32"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"mxaudit/model"
)

// General-purpose bit flags (APPNOTE 4.4.4).
const (
	flagEncrypted      = 1 << 0
	flagDataDescriptor = 1 << 3
	flagStrong         = 1 << 6  // PKWARE Strong Encryption
	flagUTF8           = 1 << 11 // names and comment are UTF-8 (EFS)
	flagMaskedHeaders  = 1 << 13 // the central directory is encrypted; local values masked
)

// Extra field IDs.
const (
	extraStrongEncryption = 0x0017 // PKWARE strong encryption header
	extraUnicodePath      = 0x7075 // Info-ZIP Unicode Path
	extraWinZipAES        = 0x9901 // WinZip AE-1/AE-2
)

// methodWinZipAES is the compression method WinZip writes for AES entries;
// the real method is inside the 0x9901 extra field.
const methodWinZipAES = 99

// extraField returns the data of the first extra field with the given ID.
// Malformed trailing bytes (a length running past the end, padding) end the
// walk without an error, as zip tools tolerate them.
func extraField(extra []byte, id uint16) ([]byte, bool) {
	for len(extra) >= 4 {
		tag := binary.LittleEndian.Uint16(extra)
		size := int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if size > len(extra) {
			return nil, false
		}
		if tag == id {
			return extra[:size], true
		}
		extra = extra[size:]
	}
	return nil, false
}

// entryEncryption says whether an entry is encrypted and how, from its
// general-purpose flags, compression method and extra fields.
//
// The WinZip AES field wins because its strength byte is explicit; bit 6 or
// a strong-encryption header means PKWARE Strong Encryption; bit 0 alone is
// the traditional ZipCrypto. Method 99 or an AES field without bit 0 is
// still treated as encrypted: the data is ciphertext whatever the flag says.
func entryEncryption(flags, method uint16, extra []byte) (bool, model.Encryption) {
	aes, hasAES := extraField(extra, extraWinZipAES)
	_, hasStrong := extraField(extra, extraStrongEncryption)
	if flags&flagEncrypted == 0 && method != methodWinZipAES && !hasAES {
		return false, model.EncryptionNone
	}
	switch {
	case hasAES:
		// version(2) vendor "AE"(2) strength(1) method(2)
		if len(aes) < 5 {
			return true, model.EncryptionUnknown
		}
		switch aes[4] {
		case 1:
			return true, model.EncryptionAES128
		case 2:
			return true, model.EncryptionAES192
		case 3:
			return true, model.EncryptionAES256
		}
		return true, model.EncryptionUnknown
	case flags&(flagStrong|flagMaskedHeaders) != 0 || hasStrong:
		return true, model.EncryptionStrong
	case method == methodWinZipAES:
		return true, model.EncryptionUnknown
	}
	return true, model.EncryptionZipCrypto
}

// decodeName turns a raw ZIP name into UTF-8:
//   - with flag bit 11 the bytes are UTF-8 (invalid sequences become U+FFFD);
//   - else an Info-ZIP Unicode Path field whose CRC matches the raw name
//     gives the name (7-Zip ≥ 21.02 and Info-ZIP write one);
//   - else bytes that are valid UTF-8 are taken as they are (macOS and
//     Info-ZIP write UTF-8 without the flag);
//   - else the name is decoded as CP932 (Windows Japanese), the code page of
//     Explorer's "Send to compressed folder" on Japanese Windows.
//
// Names in other legacy code pages (GBK, KOI8-R, CP437) come out as CP932
// mojibake: the headers do not say which code page was used.
func decodeName(raw string, flags uint16, extra []byte) string {
	if flags&flagUTF8 != 0 {
		return strings.ToValidUTF8(raw, "\uFFFD")
	}
	if name, ok := unicodePath(extra, raw); ok {
		return name
	}
	if utf8.ValidString(raw) {
		return raw
	}
	name, err := japanese.ShiftJIS.NewDecoder().String(raw)
	if err != nil {
		return strings.ToValidUTF8(raw, "\uFFFD")
	}
	return name
}

// unicodePath reads an Info-ZIP Unicode Path extra field: version 1, the
// CRC-32 of the header name it replaces, then the UTF-8 name. A CRC that
// does not match means the header name was changed by a tool that did not
// know the field, so the field is stale and ignored.
func unicodePath(extra []byte, raw string) (string, bool) {
	f, ok := extraField(extra, extraUnicodePath)
	if !ok || len(f) < 6 || f[0] != 1 {
		return "", false
	}
	if binary.LittleEndian.Uint32(f[1:5]) != crc32.ChecksumIEEE([]byte(raw)) {
		return "", false
	}
	name := f[5:]
	if !utf8.Valid(name) {
		return "", false
	}
	return string(name), true
}
