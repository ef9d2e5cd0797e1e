package archive

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"mxaudit/model"
)

func TestEntryEncryption(t *testing.T) {
	tests := []struct {
		name    string
		flags   uint16
		method  uint16
		extra   []byte
		wantEnc bool
		want    model.Encryption
	}{
		{"plain", 0, 8, nil, false, model.EncryptionNone},
		{"utf8 flag only", flagUTF8, 8, nil, false, model.EncryptionNone},
		{"zipcrypto", flagEncrypted, 8, nil, true, model.EncryptionZipCrypto},
		{"zipcrypto with descriptor", flagEncrypted | flagDataDescriptor, 0, nil, true, model.EncryptionZipCrypto},
		{"aes128", flagEncrypted, 99, aesExtra(1), true, model.EncryptionAES128},
		{"aes192", flagEncrypted, 99, aesExtra(2), true, model.EncryptionAES192},
		{"aes256", flagEncrypted, 99, aesExtra(3), true, model.EncryptionAES256},
		{"aes after other extras", flagEncrypted, 99, append(extraRecord(0x5455, []byte{1, 2, 3, 4, 5}), aesExtra(3)...), true, model.EncryptionAES256},
		{"aes strength 0", flagEncrypted, 99, aesExtra(0), true, model.EncryptionUnknown},
		{"aes field too short", flagEncrypted, 99, extraRecord(extraWinZipAES, []byte{2, 0, 'A'}), true, model.EncryptionUnknown},
		{"aes field without bit 0", 0, 99, aesExtra(3), true, model.EncryptionAES256},
		{"method 99 without field", flagEncrypted, 99, nil, true, model.EncryptionUnknown},
		{"method 99 without flag or field", 0, 99, nil, true, model.EncryptionUnknown},
		{"strong bit 6", flagEncrypted | flagStrong, 8, nil, true, model.EncryptionStrong},
		{"strong header field", flagEncrypted, 8, extraRecord(extraStrongEncryption, make([]byte, 8)), true, model.EncryptionStrong},
		{"encrypted central directory", flagEncrypted | flagStrong | flagMaskedHeaders, 0, nil, true, model.EncryptionStrong},
		{"bit 6 without bit 0", flagStrong, 8, nil, false, model.EncryptionNone},
		{"truncated extra", flagEncrypted, 8, []byte{0x01, 0x99, 0xff}, true, model.EncryptionZipCrypto},
		{"extra length past end", flagEncrypted, 99, []byte{0x01, 0x99, 0x40, 0x00, 2, 0}, true, model.EncryptionUnknown},
	}
	for _, tt := range tests {
		enc, method := entryEncryption(tt.flags, tt.method, tt.extra)
		if enc != tt.wantEnc || method != tt.want {
			t.Errorf("%s: entryEncryption = %v, %q; want %v, %q", tt.name, enc, method, tt.wantEnc, tt.want)
		}
	}
}

// unicodePathExtra is an Info-ZIP Unicode Path field for name, claiming to
// replace a header name with the given CRC.
func unicodePathExtra(crc uint32, name string) []byte {
	data := binary.LittleEndian.AppendUint32([]byte{1}, crc)
	return extraRecord(extraUnicodePath, append(data, name...))
}

func TestDecodeName(t *testing.T) {
	sjisName := sjis(t, "請求書/見積書.pdf")
	tests := []struct {
		name  string
		raw   string
		flags uint16
		extra []byte
		want  string
	}{
		{"ascii", "report.pdf", 0, nil, "report.pdf"},
		{"utf8 flagged", "請求書.pdf", flagUTF8, nil, "請求書.pdf"},
		{"utf8 unflagged", "請求書.pdf", 0, nil, "請求書.pdf"},
		{"cp932 unflagged", sjisName, 0, nil, "請求書/見積書.pdf"},
		{"cp932 half-width katakana", sjis(t, "ﾃｽﾄ.txt"), 0, nil, "ﾃｽﾄ.txt"},
		{"cp932 NEC special", sjis(t, "①②.txt"), 0, nil, "①②.txt"},
		{"invalid utf8 despite flag", "a\xffb", flagUTF8, nil, "a\uFFFDb"},
		{"unicode path with matching crc", sjisName, 0, unicodePathExtra(crc32.ChecksumIEEE([]byte(sjisName)), "正しい名前.pdf"), "正しい名前.pdf"},
		{"unicode path with stale crc", sjisName, 0, unicodePathExtra(1234, "古い名前.pdf"), "請求書/見積書.pdf"},
		{"unicode path invalid utf8", sjisName, 0, unicodePathExtra(crc32.ChecksumIEEE([]byte(sjisName)), "\xff\xfe"), "請求書/見積書.pdf"},
		{"flag wins over unicode path", "a.txt", flagUTF8, unicodePathExtra(crc32.ChecksumIEEE([]byte("a.txt")), "b.txt"), "a.txt"},
		{"lone lead byte", "\x83", 0, nil, "\uFFFD"},
	}
	for _, tt := range tests {
		if got := decodeName(tt.raw, tt.flags, tt.extra); got != tt.want {
			t.Errorf("%s: decodeName = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestIsZip(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{"PK\x03\x04\x14\x00", true},
		{"PK\x05\x06", true},
		{"PK\x07\x08PK\x03\x04", true},
		{"PK\x01\x02", false},
		{"PK\x03", false},
		{"", false},
		{"MZ\x90\x00", false},
		{"%PDF-1.7", false},
	}
	for _, tt := range tests {
		if got := IsZip([]byte(tt.head)); got != tt.want {
			t.Errorf("IsZip(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
