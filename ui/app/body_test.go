package app

import (
	"strings"
	"testing"
)

func TestDecodeBodyJapanese(t *testing.T) {
	// "お見積書を送ります。" in ISO-2022-JP, and a Shift_JIS HTML alternative.
	iso := "\x1b$B$*8+@Q=q$rAw$j$^$9!#\x1b(B"
	raw := "From: a@example.jp\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + iso + "\r\n" +
		"--b\r\nContent-Type: application/zip; name=\"q.zip\"\r\nContent-Disposition: attachment; filename=\"q.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n" +
		"--b--\r\n"
	b, err := DecodeBody(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.Text, "お見積書を送ります。") {
		t.Errorf("text %q", b.Text)
	}
	if len(b.Attachments) != 1 || !strings.HasPrefix(b.Attachments[0], "q.zip (application/zip, 4 bytes)") {
		t.Errorf("attachments %q", b.Attachments)
	}
}

func TestDecodeBodyShiftJISAndHTML(t *testing.T) {
	sjis := "\x83\x70\x83\x58\x83\x8f\x81\x5b\x83\x68" // パスワード
	raw := "Content-Type: text/html; charset=Shift_JIS\r\n\r\n<html><head><style>p{}</style></head><body><p>" + sjis +
		"&amp;more</p><p>see <a href=\"https://evil.example/x\">your bank</a></p><script>alert(1)</script></body></html>"
	b, err := DecodeBody(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := "パスワード&more\nsee your bank <https://evil.example/x>\n"
	if b.Text != want || !b.FromHTML {
		t.Errorf("text %q, want %q", b.Text, want)
	}
}

func TestDecodeBodyEUCJP(t *testing.T) {
	euc := "\xa5\xd1\xa5\xb9\xa5\xef\xa1\xbc\xa5\xc9" // パスワード
	b, err := DecodeBody(strings.NewReader("Content-Type: text/plain; charset=EUC-JP\r\n\r\n" + euc))
	if err != nil || !strings.Contains(b.Text, "パスワード") {
		t.Errorf("text %q, err %v", b.Text, err)
	}
}
