package demo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"testing"

	yzip "github.com/yeka/zip"
	"golang.org/x/text/encoding/japanese"

	"mxaudit/model"
)

// entryMethod tells an entry's encryption from its headers: the AE-x
// extra field's strength byte for AES, the encrypted flag alone for
// ZipCrypto.
func entryMethod(f *yzip.File) model.Encryption {
	if !f.IsEncrypted() {
		return model.EncryptionNone
	}
	// yeka's reader replaces method 99 by the real compression method,
	// so the AE-x extra field is what tells AES apart
	for ex := f.Extra; len(ex) >= 4; {
		id, size := binary.LittleEndian.Uint16(ex), int(binary.LittleEndian.Uint16(ex[2:]))
		if len(ex) < 4+size {
			break
		}
		if id == 0x9901 && size >= 7 {
			switch ex[4+4] {
			case 1:
				return model.EncryptionAES128
			case 2:
				return model.EncryptionAES192
			case 3:
				return model.EncryptionAES256
			}
		}
		ex = ex[4+size:]
	}
	return model.EncryptionZipCrypto
}

// openArchive lists an archive with yeka/zip, decrypting with password,
// reading every member in full (so CRC and HMAC are checked) and recursing
// into nested archives. It returns the decoded names depth first, the
// strongest method, and whether CP932 names were seen.
func openArchive(data []byte, password string) (names []string, method model.Encryption, cp932 bool, err error) {
	zr, err := yzip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, "", false, err
	}
	for _, f := range zr.File {
		name := f.Name
		if f.Flags&0x800 == 0 && !isASCII(name) {
			dec, err := japanese.ShiftJIS.NewDecoder().String(name)
			if err != nil {
				return nil, "", false, fmt.Errorf("entry name %q is not CP932: %w", name, err)
			}
			name, cp932 = dec, true
		}
		names = append(names, name)
		m := entryMethod(f)
		method = method.Stronger(m)
		if m != model.EncryptionNone {
			f.SetPassword(password)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, "", false, fmt.Errorf("open %s: %w", name, err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, "", false, fmt.Errorf("read %s: %w", name, err)
		}
		if bytes.HasPrefix(content, []byte("PK\x03\x04")) && !isOOXML(content) {
			sub, subMethod, subCP, err := openArchive(content, password)
			if err != nil {
				return nil, "", false, fmt.Errorf("nested %s: %w", name, err)
			}
			// what is inside an encrypted member is not visible to a
			// scanner without the password, and Expect lists only the
			// visible; the recursion still proves the inner archive opens
			if m == model.EncryptionNone {
				names = append(names, sub...)
				method = method.Stronger(subMethod)
				cp932 = cp932 || subCP
			}
		}
	}
	return names, method, cp932, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isOOXML reports whether a ZIP is an Office document rather than an
// archive the demo nests.
func isOOXML(b []byte) bool {
	return bytes.Contains(b[:min(len(b), 200)], []byte("[Content_Types].xml"))
}

func TestArchivesOpenWithStatedPassword(t *testing.T) {
	for _, s := range Samples(Options{}) {
		if s.Want.Malformed {
			continue
		}
		atts, err := attachmentData(s.Raw)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		for i, f := range s.Want.Files {
			if f.Archive == nil || f.Archive.DeclaredSize > 100<<20 { // the bombs: TestZipBombs
				continue
			}
			t.Run(s.Name+"/"+f.Name, func(t *testing.T) {
				names, method, cp932, err := openArchive(atts[i], s.Want.Password)
				if f.Archive.Broken {
					if err == nil {
						t.Fatal("broken archive opened")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if method != f.Archive.Encryption {
					t.Errorf("method %q, want %q", method, f.Archive.Encryption)
				}
				if cp932 != f.Archive.CP932Names {
					t.Errorf("CP932 names %v, want %v", cp932, f.Archive.CP932Names)
				}
				if !slices.Equal(names, f.Archive.Entries) {
					t.Errorf("entries %q, want %q", names, f.Archive.Entries)
				}
			})
		}
	}
}

func TestArchivesRejectWrongPassword(t *testing.T) {
	for _, s := range Samples(Options{}) {
		if s.Want.Attachment != model.AttachmentEncrypted {
			continue
		}
		atts, err := attachmentData(s.Raw)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if _, _, _, err := openArchive(atts[0], s.Want.Password+"x"); err == nil {
			t.Errorf("%s: archive opened with a wrong password", s.Name)
		}
	}
}

func TestZipBombs(t *testing.T) {
	bomb, err := cachedBomb()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := yzip.NewReader(bytes.NewReader(bomb), int64(len(bomb)))
	if err != nil {
		t.Fatal(err)
	}
	f := zr.File[0]
	if f.UncompressedSize64 != bombEntrySize || f.CompressedSize64 > 300<<10 {
		t.Fatalf("sizes %d/%d", f.UncompressedSize64, f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc) // the CRC check runs at EOF
	rc.Close()
	if err != nil || n != bombEntrySize {
		t.Fatalf("inflated %d bytes, err %v", n, err)
	}

	huge, err := declaredHugeZip(DefaultBase)
	if err != nil {
		t.Fatal(err)
	}
	zr, err = yzip.NewReader(bytes.NewReader(huge), int64(len(huge)))
	if err != nil {
		t.Fatal(err)
	}
	if got := zr.File[0].UncompressedSize64; got != 10<<30 {
		t.Fatalf("declared size %d", got)
	}
	for _, s := range Samples(Options{}) {
		if len(s.Raw) > 1<<20 {
			t.Errorf("%s is %d bytes, over 1 MiB", s.Name, len(s.Raw))
		}
	}
}

func TestCP932NamesRoundTrip(t *testing.T) {
	names := []string{"見積書_さくら商事様.pdf", "引継ぎ/顧客一覧.xlsx", "発注書_No.4471.xlsx"}
	for _, method := range []model.Encryption{model.EncryptionNone, model.EncryptionZipCrypto, model.EncryptionAES256} {
		var entries []zipEntry
		for _, n := range names {
			entries = append(entries, zipEntry{Name: n, CP932: true, Data: []byte(n)})
		}
		data, err := buildZip(zipSpec{Entries: entries, Password: "pw", Method: method})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := yzip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range zr.File {
			if f.Flags&0x800 != 0 {
				t.Errorf("%s: %q has the UTF-8 flag", method, names[i])
			}
			raw, _ := japanese.ShiftJIS.NewEncoder().String(names[i])
			if f.Name != raw {
				t.Errorf("%s: stored name % x, want CP932 % x", method, f.Name, raw)
			}
			dec, err := japanese.ShiftJIS.NewDecoder().String(f.Name)
			if err != nil || dec != names[i] {
				t.Errorf("%s: decoded %q (%v), want %q", method, dec, err, names[i])
			}
		}
	}
}
