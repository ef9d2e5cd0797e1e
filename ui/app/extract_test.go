package app

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// TestExtractPartSavesTheFilesBytes: saving an attachment writes the
// bytes a mail client saves, with the transfer encoding undone and a
// text/* file left in its charset, byte for byte.
func TestExtractPartSavesTheFilesBytes(t *testing.T) {
	file := []byte("PK\x03\x04\x14\x00\x01\x00\xc8\x9a\xfe\x80 caf\xe9 \x1b$B")
	tests := []struct {
		name, ct, enc, body string
	}{
		{"text in windows-1252, base64", "text/plain; charset=windows-1252", "base64", base64.StdEncoding.EncodeToString(file)},
		{"text in iso-2022-jp, base64", "text/plain; charset=iso-2022-jp", "base64", base64.StdEncoding.EncodeToString(file)},
		{"binary, base64", "application/zip", "base64", base64.StdEncoding.EncodeToString(file)},
		{"text in shift_jis, 8bit", "text/plain; charset=shift_jis", "8bit", string(file)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B\r\n" +
				"Content-Type: " + tt.ct + "\r\nContent-Disposition: attachment; filename=a.zip\r\n" +
				"Content-Transfer-Encoding: " + tt.enc + "\r\n\r\n" + tt.body + "\r\n--B--\r\n"
			got, err := ExtractPart(strings.NewReader(raw), 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, file) {
				t.Errorf("saved %q, want %q", got, file)
			}
		})
	}
}
