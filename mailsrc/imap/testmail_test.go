package imap

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// Kinds of test message, cycled through by testMessage.
const (
	kindPlain     = iota // text/plain only
	kindZip              // multipart/mixed: text + application/zip
	kindNested           // mixed(alternative(text, html), pdf with an RFC 2231 Japanese name)
	kindForwarded        // mixed: text + message/rfc822
	kindBareZip          // a single-part application/zip message
	numKinds
)

// testZip is a small real ZIP archive.
func testZip(name string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	w.Write([]byte(strings.Repeat("payload ", 200)))
	zw.Close()
	return buf.Bytes()
}

// b64 base64-encodes with 76-character lines, as mailers do.
func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(s) > 76 {
		sb.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	sb.WriteString(s + "\r\n")
	return sb.String()
}

// testMessage returns message i of the test corpus, CRLF line endings.
func testMessage(i int) []byte {
	hdr := fmt.Sprintf("Return-Path: <bounce%d@sender.example>\r\n"+
		"Authentication-Results: mx.example.com; dkim=pass header.d=sender.example; spf=pass smtp.mailfrom=sender.example\r\n"+
		"DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=sel; h=from:to:subject; bh=AAAA; b=BBBB\r\n"+
		"From: Sender %d <s%d@sender.example>\r\n"+
		"To: ops@example.com\r\n"+
		"Subject: test message %d\r\n"+
		"Date: Mon, 2 Jan 2006 15:04:05 +0000\r\n"+
		"Message-ID: <m%d@sender.example>\r\n"+
		"MIME-Version: 1.0\r\n", i, i, i, i, i)
	text := "Hello,\r\nplease find the invoice attached.\r\n"
	switch i % numKinds {
	case kindPlain:
		return []byte(hdr + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text)
	case kindZip:
		return []byte(hdr + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
			"preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
			"\r\n--b1\r\nContent-Type: application/zip; name=\"invoice.zip\"\r\nContent-Disposition: attachment; filename=\"invoice.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			b64(testZip(fmt.Sprintf("invoice%d.pdf.exe", i))) + "\r\n--b1--\r\nepilogue\r\n")
	case kindNested:
		return []byte(hdr + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
			"--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n" +
			"--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
			"\r\n--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Hello=2C</p>\r\n" +
			"\r\n--inner--\r\n" +
			"\r\n--outer\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			b64([]byte("%PDF-1.4\n"+strings.Repeat("x", 3000))) + "\r\n--outer--\r\n")
	case kindForwarded:
		inner := "From: a@b.example\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\ninner body\r\n"
		return []byte(hdr + "Content-Type: multipart/mixed; boundary=\"fw\"\r\n\r\n" +
			"--fw\r\nContent-Type: text/plain\r\n\r\n" + text +
			"\r\n--fw\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\r\n" + inner +
			"\r\n--fw--\r\n")
	default: // kindBareZip
		return []byte(hdr + "Content-Type: application/zip; name=\"bare.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			b64(testZip("bare.js")))
	}
}
