package mimetext

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
)

// charsetLabels are labels mail carries: common ones in several spellings,
// the Japanese aliases this package registers, go-message's own additions,
// the "cs" forms, and labels no index knows.
var charsetLabels = []string{
	"iso-8859-1", "ISO-8859-1", "latin1", "l1", "iso_8859-1:1987", "windows-1252", "cp1252",
	"iso-8859-2", "iso-8859-15", "koi8-r", "koi8-u", "windows-1251", "cp866", "macintosh",
	"iso-2022-jp", "ISO-2022-JP", "shift_jis", "Shift_JIS", "sjis", "euc-jp", "EUC-JP",
	"cp932", "x-cp932", "windows-932", "ms_kanji", "cp50220", "iso-2022-jp-2", "iso-2022-jp-ms",
	"gb2312", "gbk", "gb18030", "big5", "euc-kr", "ks_c_5601-1987", "utf-16", "utf-16le", "utf-16be",
	"ansi_x3.110-1983", "x-utf_8j", "csShiftJIS", "csISO2022JP", "shiftjis", "ascii", "us-ascii", "utf-8",
	"x-user-defined", "replacement", "iso-2022-kr", "hz-gb-2312", "x-unknown", "", " ", "utf-7",
	"unicode-1-1-utf-7", "iso-8859-99", "cs", "csutf8", "windows-874", "tis-620", "viscii",
}

// TestCharsetBodyActsLikeGoMessage checks that the installed CharsetReader
// accepts and refuses the same labels as go-message/charset.Reader and
// converts text the same, read in small pieces or written out whole.
func TestCharsetBodyActsLikeGoMessage(t *testing.T) {
	inputs := [][]byte{
		[]byte("plain ascii text"),
		[]byte("caf\xe9 na\xefve \x80\x9f\xff"),
		[]byte("\x1b$B$3$s$K$A$O\x1b(B \x82\xb1\x82\xf1 \xa4\xb3\xa4\xf3"),
		{0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x01, 0x00, 0xc8, 0x9a, 0xfe, 0x00, 0x1b, 0x24},
		bytes.Repeat([]byte("\x93\xfa\x96\x7b\x8c\xea "), 5000), // longer than one buffer
	}
	for _, label := range charsetLabels {
		for _, in := range inputs {
			want, wantErr := charset.Reader(label, bytes.NewReader(in))
			got, gotErr := charsetBody(label, bytes.NewReader(in))
			if (wantErr != nil) != (gotErr != nil) {
				t.Fatalf("label %q: go-message error %v, ours %v", label, wantErr, gotErr)
			}
			if wantErr != nil {
				continue
			}
			wantText, wantReadErr := io.ReadAll(want)
			gotText, gotReadErr := io.ReadAll(struct{ io.Reader }{got}) // Read, not WriteTo
			if !bytes.Equal(wantText, gotText) || (wantReadErr != nil) != (gotReadErr != nil) {
				t.Fatalf("label %q, input %q: read %q (%v), go-message %q (%v)", label, in[:min(len(in), 20)], gotText, gotReadErr, wantText, wantReadErr)
			}
			again, _ := charsetBody(label, bytes.NewReader(in))
			var written bytes.Buffer
			if _, err := again.(io.WriterTo).WriteTo(&written); (err != nil) != (wantReadErr != nil) || !bytes.Equal(written.Bytes(), wantText) {
				t.Fatalf("label %q, input %q: WriteTo %q (%v), go-message %q (%v)", label, in[:min(len(in), 20)], written.Bytes(), err, wantText, wantReadErr)
			}
		}
	}
}

// TestTextAttachmentKeepsItsBytes builds a multipart message whose text/*
// attachment in a legacy charset carries binary bytes, as a ZIP sent as
// text/plain would: go-message still converts the part for a reader of
// text, and TransferDecoded hands back exactly the bytes that were
// base64-encoded, which is what a mail client saves.
func TestTextAttachmentKeepsItsBytes(t *testing.T) {
	file := []byte("PK\x03\x04\x14\x00\x01\x00\x08\x00\xc8\x9a\xfe\x80\x00\xff binary \x1b$B")
	for _, cs := range []string{"windows-1252", "iso-2022-jp", "shift_jis", "ISO-8859-1", "cp932", "utf-8", "us-ascii", "x-unknown"} {
		t.Run(cs, func(t *testing.T) {
			raw := "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n" +
				"Content-Type: text/plain; charset=" + cs + "; name=a.zip\r\n" +
				"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(file) + "\r\n--B--\r\n"
			e, err := message.Read(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			part, err := e.MultipartReader().NextPart()
			if part == nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(TransferDecoded(part.Body))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, file) {
				t.Errorf("TransferDecoded = %q, want the attachment's bytes %q", got, file)
			}
		})
	}
}

// TestTransferDecodedAfterReading: once the converted text has been read,
// the unconverted bytes are consumed, so TransferDecoded must fail rather
// than hand out what is left.
func TestTransferDecodedAfterReading(t *testing.T) {
	body, err := charsetBody("windows-1252", strings.NewReader("caf\xe9 au lait"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := body.Read(buf); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(TransferDecoded(body)); !errors.Is(err, ErrReadAsText) {
		t.Errorf("TransferDecoded after a Read: %v, want ErrReadAsText", err)
	}
	// WriteTo converts a short body in one piece, which uses it up too.
	word, err := charsetBody("iso-2022-jp", bytes.NewReader([]byte("\x1b$B$3$s\x1b(B")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := word.(io.WriterTo).WriteTo(io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(TransferDecoded(word)); !errors.Is(err, ErrReadAsText) {
		t.Errorf("TransferDecoded after WriteTo: %v, want ErrReadAsText", err)
	}
}

// TestEncodedWordsStillDecode: the header words go-message decodes (a
// Content-Type's name parameter) convert through the installed reader.
func TestEncodedWordsStillDecode(t *testing.T) {
	var h message.Header
	h.Set("Content-Type", `application/zip; name="=?ISO-2022-JP?B?GyRCOCtAURsoQg==?=.zip"`)
	_, params, err := h.ContentType()
	if err != nil {
		t.Fatal(err)
	}
	if got := params["name"]; got != "見積.zip" {
		t.Errorf("name = %q, want 見積.zip", got)
	}
}
