package analysis

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

// encodeJP encodes s in one of the Japanese charsets mail uses.
func encodeJP(t *testing.T, s, charset string) string {
	t.Helper()
	enc := japanese.ISO2022JP.NewEncoder()
	if charset == "shift_jis" {
		enc = japanese.ShiftJIS.NewEncoder()
	}
	out, err := enc.String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPairingTextIsWhatReadBackReads checks that the text an analysis
// keeps for pairing (Config.PairingText) is the text ReadBack reads again
// (pairing takes a password mail's candidates from either, and they must
// not differ), that keeping it changes nothing else of the analysis, and
// that ReadBack's digest is the analysis's.
func TestPairingTextIsWhatReadBackReads(t *testing.T) {
	const pw = "パスワード：Hold-1234"
	head := "From: Yamada <yamada@partner.example>\r\nTo: tanaka@sakura.example\r\nDate: Fri, 20 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\n"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		raw  string
		max  int64
		want string // in the kept body text; "" for none
	}{
		{"UTF-8", head + "Subject: pw\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + pw + "\r\n", 0, "Hold-1234"},
		{"ISO-2022-JP declared", head + "Subject: =?ISO-2022-JP?B?" + b64(encodeJP(t, "パスワード", "iso-2022-jp")) + "?=\r\n" +
			"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + encodeJP(t, pw, "iso-2022-jp") + "\r\n", 0, pw},
		{"Shift_JIS declared, base64", head + "Subject: pw\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			b64(encodeJP(t, pw, "shift_jis")) + "\r\n", 0, pw},
		{"Shift_JIS undeclared", head + "Subject: pw\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + encodeJP(t, pw, "shift_jis") + "\r\n", 0, pw},
		{"unknown charset", head + "Subject: pw\r\nContent-Type: text/plain; charset=x-no-such\r\n\r\nPW: Hold-1234\r\n", 0, "Hold-1234"},
		{"HTML, quoted-printable", head + "Subject: pw\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"<script>var x=3D'decoy';</script><p>PW: <b>Hold&amp;1234</b></p>\r\n", 0, "Hold&1234"},
		{"alternative parts and a file", head + "Subject: pw\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n" +
			"Content-Type: multipart/alternative; boundary=\"A\"\r\n\r\n--A\r\nContent-Type: text/plain\r\n\r\nPW: Hold-1234\r\n--A\r\n" +
			"Content-Type: text/html\r\n\r\n<p>PW: Hold-1234</p>\r\n--A--\r\n--B\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n\r\n%PDF-1.4 PW: NotText\r\n--B--\r\n", 0, "Hold-1234"},
		{"broken base64", head + "Subject: pw\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64("PW: Hold-1234")[:8] + "!!!*\r\n", 0, ""},
		{"past the bound", head + "Subject: pw\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("x", 40) + " PW: Hold-1234\r\n", 32, ""},
	}
	ctx := context.Background()
	plain := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = 256 << 10
			}
			raw := []byte(tt.raw)
			m := plain.Analyze(ctx, "m", bytes.NewReader(raw))
			kept := plain.WithPairingText(max, nil).Analyze(ctx, "m", bytes.NewReader(raw))
			if kept.PairingText == nil {
				t.Fatal("no text kept")
			}
			text := *kept.PairingText
			kept.PairingText = nil
			mj, _ := json.Marshal(m)
			kj, _ := json.Marshal(kept)
			if !bytes.Equal(mj, kj) {
				t.Errorf("keeping the text changed the analysis:\n%s\nwant\n%s", kj, mj)
			}
			rb, err := plain.ReadBack(bytes.NewReader(raw), func(int) bool { return false }, max, 0)
			if err != nil {
				t.Fatal(err)
			}
			if rb.Subject != text.Subject || rb.Text != text.Body {
				t.Errorf("read back %q, %q; the analysis kept %q, %q", rb.Subject, rb.Text, text.Subject, text.Body)
			}
			if rb.SHA256 != m.SHA256 {
				t.Errorf("read back digest %s, analysis %s", rb.SHA256, m.SHA256)
			}
			switch {
			case tt.want != "" && !strings.Contains(text.Body, tt.want):
				t.Errorf("kept text %q lacks %q", text.Body, tt.want)
			case tt.want == "" && strings.Contains(text.Body, "Hold-1234"):
				t.Errorf("kept text %q holds what it must not", text.Body)
			case strings.Contains(text.Body, "decoy") || strings.Contains(text.Body, "NotText"):
				t.Errorf("kept text %q holds a script or a file", text.Body)
			}
		})
	}
}

// TestReadBackNumbersAsAnalyze checks that ReadBack keeps the bytes of the
// attachments asked for under the numbers Analyze gives them, an inline
// picture counted only when it holds an archive.
func TestReadBackNumbersAsAnalyze(t *testing.T) {
	zipBytes := []byte("PK\x05\x06" + strings.Repeat("\x00", 18)) // an empty ZIP
	gif := "GIF89a\x01\x00\x01\x00\x00\x00\x00;"
	part := func(header, body string) string {
		return "--B\r\n" + header + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\r\n"
	}
	raw := []byte("From: a@example.jp\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n" +
		part("Content-Type: text/plain", "body") +
		part("Content-Type: image/gif", gif) + // no archive: no attachment
		part("Content-Type: image/gif", gif+string(zipBytes)) + // 0
		part("Content-Type: text/plain\r\nContent-Disposition: inline; filename=\"\"", "body too") +
		part("Content-Type: application/pdf; name=\"a.pdf\"", "%PDF-1.4") + // 1
		part("Content-Type: application/zip; name=\"z.zip\"", string(zipBytes)) + // 2
		"--B--\r\n")
	an := New(Config{})
	m := an.Analyze(context.Background(), "m", bytes.NewReader(raw))
	if len(m.Attachments) != 3 {
		t.Fatalf("analysis lists %d attachments: %+v", len(m.Attachments), m.Attachments)
	}
	rb, err := an.ReadBack(bytes.NewReader(raw), func(int) bool { return true }, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0: gif + string(zipBytes), 1: "%PDF-1.4", 2: string(zipBytes)}
	if len(rb.Attachments) != len(want) {
		t.Errorf("read back %d attachments, want %d", len(rb.Attachments), len(want))
	}
	for i, w := range want {
		if string(rb.Attachments[i]) != w {
			t.Errorf("attachment %d (%s): read back %q, want %q", i, m.Attachments[i].Filename, rb.Attachments[i], w)
		}
	}
	only, _ := an.ReadBack(bytes.NewReader(raw), func(i int) bool { return i == 0 }, 0, 8)
	if len(only.Attachments) != 0 {
		t.Errorf("%d attachments past the bound kept", len(only.Attachments))
	}
}

// TestPairingTextBounded checks that the text kept for pairing stays
// within its bound after conversion, which may widen it: each invalid
// byte becomes a replacement character of three.
func TestPairingTextBounded(t *testing.T) {
	const max = 1000
	raw := "From: a@example.jp\r\nSubject: s\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.Repeat("\xff", 4*max) + "\r\n"
	m := New(Config{}).WithPairingText(max, nil).Analyze(context.Background(), "m", strings.NewReader(raw))
	if m.PairingText == nil || len(m.PairingText.Body) == 0 {
		t.Fatal("no text kept")
	}
	if n := len(m.PairingText.Body); n > max+1 {
		t.Errorf("kept %d bytes of text, bound %d", n, max)
	}
	// Many parts after the bound is reached add nothing either.
	var b strings.Builder
	b.WriteString("From: a@example.jp\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n")
	b.WriteString("--B\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("\xff", max/2) + "\r\n")
	for range max {
		b.WriteString("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n")
	}
	b.WriteString("--B--\r\n")
	m = New(Config{}).WithPairingText(max, nil).Analyze(context.Background(), "m", strings.NewReader(b.String()))
	if n := len(m.PairingText.Body); n > max {
		t.Errorf("kept %d bytes of text from many parts, bound %d", n, max)
	}
}

// TestBufferDigest checks the digest of an archive's bytes across the
// buffer's chunks: what pairing compares the bytes it reads back with.
func TestBufferDigest(t *testing.T) {
	for _, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 2*chunkSize + 12345} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*7 + i>>9)
		}
		var buf chunkBuffer
		if _, _, err := buf.Fill(bytes.NewReader(data), 64<<20); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := bufferDigest(&buf); got != hex.EncodeToString(sum[:]) {
			t.Errorf("%d bytes: digest %s, want %x", n, got, sum)
		}
		buf.Release()
	}
}
