package app

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// TestBodyListsTheSavedSize: the body view lists a text/* attachment's
// saved size, with no charset conversion, as ExtractPart saves it (and as
// the analysis judges it).
func TestBodyListsTheSavedSize(t *testing.T) {
	file := []byte("PK\x03\x04\x14\x00\x01\x00\xc8\x9a\xfe\x80 caf\xe9 \x1b$B")
	raw := "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B\r\n" +
		"Content-Type: text/plain; charset=windows-1252\r\nContent-Disposition: attachment; filename=a.zip\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(file) + "\r\n--B--\r\n"
	b, err := DecodeBody(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := ExtractPart(strings.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("a.zip (text/plain, %d bytes)", len(saved))
	if len(b.Attachments) != 1 || b.Attachments[0] != want {
		t.Errorf("body lists %q, saved file is %d bytes (want %q)", b.Attachments, len(saved), want)
	}
}
