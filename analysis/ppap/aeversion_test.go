package ppap

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	yzip "github.com/yeka/zip"
)

// TestAESExtraWithVersion0 is a ZipCrypto entry that also carries a
// WinZip AES extra field whose AE version is 0. yeka/zip (and 7-Zip, by
// the method) decrypt it as ZipCrypto; taking it for AES would run the AES
// quick check over ZipCrypto bytes, refuse the right password, and leave
// the content unexamined (found in review).
func TestAESExtraWithVersion0(t *testing.T) {
	payload := bytes.Repeat([]byte("MZ payload "), 100)
	var buf bytes.Buffer
	w := yzip.NewWriter(&buf)
	extra := make([]byte, 11)
	binary.LittleEndian.PutUint16(extra[0:], aesExtraID)
	binary.LittleEndian.PutUint16(extra[2:], 7)
	binary.LittleEndian.PutUint16(extra[4:], 0) // AE version 0
	copy(extra[6:8], "AE")
	extra[8] = 3                                // AES-256
	binary.LittleEndian.PutUint16(extra[9:], 8) // deflate
	fh := &yzip.FileHeader{Name: "invoice.exe", Method: yzip.Deflate, Extra: extra}
	fh.SetPassword("s3cret")
	fh.SetEncryptionMethod(yzip.StandardEncryption)
	fw, err := w.CreateHeader(fh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()

	r, err := yzip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	r.File[0].SetPassword("s3cret")
	rc, err := r.File[0].Open()
	if err != nil {
		t.Fatalf("yeka/zip cannot open the entry: %v", err)
	}
	if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("yeka/zip reads %d bytes, %v", len(got), err)
	}

	z, err := openZip(data)
	if err != nil {
		t.Fatal(err)
	}
	if m := entryMethod(z.files[0]); m.aes {
		t.Errorf("entryMethod = %+v: AE version 0 is ZipCrypto to yeka/zip", m)
	}
	got, _, err := z.open(z.files[0], "s3cret", 1<<20)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("open with the right password: %d bytes, %v; want the payload", len(got), err)
	}
	if _, _, err := z.open(z.files[0], "wrong", 1<<20); err != errWrongPassword {
		t.Errorf("open with a wrong password: %v, want errWrongPassword", err)
	}
}
