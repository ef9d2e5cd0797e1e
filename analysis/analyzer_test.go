package analysis

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/yeka/zip"

	"mxaudit/model"
)

// part is one MIME part of a test message.
type part struct {
	header string // full header lines, CRLF-terminated
	body   string
}

// buildMessage assembles a multipart/mixed message with CRLF line endings.
func buildMessage(header string, parts ...part) string {
	return buildMessageBoundary("BOUNDARY", header, parts...)
}

func buildMessageBoundary(boundary, header string, parts ...part) string {
	var b strings.Builder
	b.WriteString(header)
	if len(parts) == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n")
		return b.String()
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + p.header + "\r\n" + p.body + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

// base64Lines encodes data as a mailer does: 76-character lines.
func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return b.String()
}

func attachment(name, ct string, data []byte) part {
	return part{
		header: fmt.Sprintf("Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n", ct, name, name),
		body:   base64Lines(data),
	}
}

var textPart = part{header: "Content-Type: text/plain; charset=utf-8\r\n", body: "Please find the file attached."}

// zipFile is one member of a test archive.
type zipFile struct {
	name     string
	data     string
	password string
	method   zip.EncryptionMethod
}

func buildZip(t testing.TB, files ...zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		var (
			fw  io.Writer
			err error
		)
		if f.password != "" {
			fw, err = w.Encrypt(f.name, f.password, f.method)
		} else {
			fw, err = w.Create(f.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const stdHeader = "From: Taro Yamada <taro@Partner.Example.CO.JP>\r\nTo: hanako@example.com, \"Sato, Jiro\" <jiro@example.com>\r\nSubject: =?ISO-2022-JP?B?GyRCOCtAUT1xGyhC?=\r\nDate: Mon, 2 Nov 2026 09:15:00 +0900\r\nMessage-ID: <abc@partner.example.co.jp>\r\nReturn-Path: <bounce@partner.example.co.jp>\r\n"

func analyse(t testing.TB, raw string) model.Message {
	t.Helper()
	return New(Config{}).Analyze(context.Background(), "test", strings.NewReader(raw))
}

func TestAnalyzeHeaders(t *testing.T) {
	m := analyse(t, buildMessage(stdHeader))
	checks := []struct{ field, got, want string }{
		{"From", m.From, "Taro Yamada <taro@partner.example.co.jp>"},
		{"FromAddr", m.FromAddr, "taro@partner.example.co.jp"},
		{"FromDomain", m.FromDomain, "partner.example.co.jp"},
		{"Subject", m.Subject, "見積書"},
		{"MessageID", m.MessageID, "<abc@partner.example.co.jp>"},
		{"ReturnPath", m.ReturnPath, "bounce@partner.example.co.jp"},
		{"To", strings.Join(m.To, "|"), "hanako@example.com|Sato, Jiro <jiro@example.com>"},
		{"Date", m.Date.UTC().Format("2006-01-02 15:04"), "2026-11-02 00:15"},
		{"Verdict", string(m.Verdict.Attachment), "clean"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if m.Size != int64(len(buildMessage(stdHeader))) {
		t.Errorf("Size = %d, want %d", m.Size, len(buildMessage(stdHeader)))
	}
}

func TestAnalyzeAttachments(t *testing.T) {
	zipCrypto := buildZip(t, zipFile{name: "見積書.xlsx", data: "sheet", password: "pw", method: zip.StandardEncryption})
	aes := buildZip(t, zipFile{name: "a.pdf", data: "pdf", password: "pw", method: zip.AES256Encryption})
	exeZip := buildZip(t, zipFile{name: "setup.exe", data: "MZ\x90\x00"})
	docm := buildZip(t, zipFile{name: "[Content_Types].xml", data: "<Types/>"}, zipFile{name: "word/vbaProject.bin", data: "vba"})
	nested := buildZip(t, zipFile{name: "inner.zip", data: string(exeZip)})
	tests := []struct {
		name        string
		parts       []part
		verdict     model.AttachmentVerdict
		encryption  model.Encryption
		risk        model.Risk
		reasonWords string
	}{
		{"zipcrypto", []part{textPart, attachment("見積書.zip", "application/zip", zipCrypto)}, model.AttachmentEncrypted, model.EncryptionZipCrypto, "", "ZipCrypto"},
		{"aes256", []part{attachment("doc.zip", "application/zip", aes)}, model.AttachmentEncrypted, model.EncryptionAES256, "", "AES-256"},
		{"zip named pdf is still a zip", []part{attachment("report.pdf", "application/pdf", zipCrypto)}, model.AttachmentEncrypted, model.EncryptionZipCrypto, "", "encrypted ZIP"},
		{"exe in zip", []part{attachment("files.zip", "application/zip", exeZip)}, model.AttachmentRisky, "", model.RiskExecutable, "setup.exe"},
		{"macro document", []part{attachment("plan.docm", "application/vnd.ms-word.document.macroEnabled.12", docm)}, model.AttachmentRisky, "", model.RiskMacro, "macro"},
		{"nested archive", []part{attachment("outer.zip", "application/zip", nested)}, model.AttachmentRisky, "", model.RiskNestedArchive, "inner.zip"},
		{"double extension", []part{attachment("invoice.pdf.exe", "application/octet-stream", []byte("MZ\x90\x00rest"))}, model.AttachmentRisky, "", model.RiskDoubleExtension, "invoice.pdf.exe"},
		{"clean pdf", []part{attachment("report.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"))}, model.AttachmentClean, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := analyse(t, buildMessage(stdHeader, tt.parts...))
			if m.Verdict.Attachment != tt.verdict {
				t.Fatalf("verdict %q, want %q (reasons %q)", m.Verdict.Attachment, tt.verdict, m.Verdict.Reasons)
			}
			att := m.Attachments[len(m.Attachments)-1]
			if tt.encryption != "" && (att.Archive == nil || att.Archive.Encryption != tt.encryption) {
				t.Errorf("archive %+v, want encryption %q", att.Archive, tt.encryption)
			}
			if tt.risk != "" && !hasRisk(att.Risks, tt.risk) {
				t.Errorf("risks %v, want %q", att.Risks, tt.risk)
			}
			if reasons := strings.Join(m.Verdict.Reasons, " | "); !strings.Contains(reasons, tt.reasonWords) {
				t.Errorf("reasons %q do not mention %q", reasons, tt.reasonWords)
			}
		})
	}
}

func hasRisk(risks []model.Risk, r model.Risk) bool {
	for _, have := range risks {
		if have == r {
			return true
		}
	}
	return false
}

func TestAnalyzeForwardedMessage(t *testing.T) {
	inner := buildMessageBoundary("INNER", "From: a@example.net\r\nSubject: original\r\n",
		attachment("secret.zip", "application/zip", buildZip(t, zipFile{name: "x.txt", data: "x", password: "p", method: zip.StandardEncryption})))
	raw := buildMessage(stdHeader, textPart, part{
		header: "Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n",
		body:   inner,
	})
	m := analyse(t, raw)
	if m.Verdict.Attachment != model.AttachmentEncrypted {
		t.Fatalf("verdict %q, want encrypted from the forwarded message's ZIP", m.Verdict.Attachment)
	}
	if got := m.Attachments[0].Filename; got != "fwd.eml/secret.zip" {
		t.Errorf("attachment name %q, want fwd.eml/secret.zip", got)
	}
}

func TestAnalyzeMalformed(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		verdict model.AttachmentVerdict
		want    string // in the reasons or the error
	}{
		{"header garbage", "this is not a header\r\n\r\nbody", model.AttachmentError, "header"},
		{"truncated base64", buildMessage(stdHeader, part{
			header: "Content-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n",
			body:   "QUJD!!!!====#",
		}), model.AttachmentError, "decode"},
		{"missing closing boundary", strings.TrimSuffix(buildMessage(stdHeader, textPart, attachment("a.txt", "text/plain", []byte("x"))), "--BOUNDARY--\r\n"), "", ""},
		{"empty", "", model.AttachmentError, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := analyse(t, tt.raw)
			if tt.verdict != "" && m.Verdict.Attachment != tt.verdict {
				t.Errorf("verdict %q, want %q (reasons %q)", m.Verdict.Attachment, tt.verdict, m.Verdict.Reasons)
			}
			if all := m.Error + " " + strings.Join(m.Verdict.Reasons, " "); !strings.Contains(all, tt.want) {
				t.Errorf("error/reasons %q do not mention %q", all, tt.want)
			}
		})
	}
}

// hashingChecker records a digest of exactly what it was given, to prove
// that the tee hands the checker every raw byte, unchanged.
type hashingChecker struct{ sum chan [32]byte }

func (h hashingChecker) Check(_ context.Context, raw io.Reader) (*model.Auth, error) {
	d := sha256.New()
	_, err := io.Copy(d, raw)
	var sum [32]byte
	copy(sum[:], d.Sum(nil))
	h.sum <- sum
	return &model.Auth{DMARC: model.DMARCResult{Result: model.ResultNone}}, err
}

func TestAnalyzeTeesRawBytesToAuth(t *testing.T) {
	raw := buildMessage(stdHeader, textPart, attachment("big.bin", "application/octet-stream", bytes.Repeat([]byte("0123456789"), 100_000)))
	raw += "epilogue after the closing boundary\r\n"
	h := hashingChecker{sum: make(chan [32]byte, 1)}
	m := New(Config{Auth: h}).Analyze(context.Background(), "t", strings.NewReader(raw))
	if got, want := <-h.sum, sha256.Sum256([]byte(raw)); got != want {
		t.Error("the checker did not see the raw message byte for byte")
	}
	if m.Auth == nil {
		t.Fatal("Auth not set")
	}
}

func TestAnalyzeMessageSizeLimit(t *testing.T) {
	raw := buildMessage(stdHeader, attachment("big.bin", "application/octet-stream", bytes.Repeat([]byte{'x'}, 300_000)))
	m := New(Config{MaxMessageBytes: 100_000}).Analyze(context.Background(), "big", strings.NewReader(raw))
	if m.Size != 100_000 {
		t.Errorf("read %d bytes, want the 100000 limit", m.Size)
	}
	if m.Verdict.Attachment != model.AttachmentError || !strings.Contains(strings.Join(m.Verdict.Reasons, " "), "limit") {
		t.Errorf("verdict %q reasons %q, want an error naming the limit", m.Verdict.Attachment, m.Verdict.Reasons)
	}
}

func TestAnalyzeSummaryElidedParts(t *testing.T) {
	elided := part{
		header: "Content-Type: image/png; name=\"photo.png\"\r\nContent-Disposition: attachment; filename=\"photo.png\"\r\nContent-Transfer-Encoding: base64\r\nX-Mxaudit-Elided: 7800\r\n",
		body:   "",
	}
	exe := part{
		header: "Content-Type: application/octet-stream; name=\"run.exe\"\r\nContent-Transfer-Encoding: base64\r\nX-Mxaudit-Elided: 78\r\n",
		body:   "",
	}
	zipped := attachment("doc.zip", "application/zip", buildZip(t, zipFile{name: "a.txt", data: "a", password: "p", method: zip.AES256Encryption}))
	raw := buildMessage(stdHeader, textPart, elided, exe, zipped)

	h := hashingChecker{sum: make(chan [32]byte, 1)}
	m := New(Config{Auth: h}).AnalyzeSummary(context.Background(), "1/7", []byte(raw))
	if len(m.Attachments) != 3 {
		t.Fatalf("%d attachments, want 3", len(m.Attachments))
	}
	if a := m.Attachments[0]; a.Filename != "photo.png" || a.Size != 5700 || a.Error != "" {
		t.Errorf("elided image: %+v, want photo.png of 5700 decoded bytes and no error", a)
	}
	if a := m.Attachments[1]; !hasRisk(a.Risks, model.RiskExecutable) {
		t.Errorf("elided run.exe has risks %v, want executable from its name", a.Risks)
	}
	if m.Verdict.Attachment != model.AttachmentEncrypted {
		t.Errorf("verdict %q, want encrypted from the fetched ZIP", m.Verdict.Attachment)
	}
	// The checker must get the header alone, so that it does not verify
	// DKIM against a rebuilt body.
	header := raw[:strings.Index(raw, "\r\n\r\n")+2]
	if got := <-h.sum; got != sha256.Sum256([]byte(header)) {
		t.Error("the checker was given more than the header section")
	}

	// In a message read from a source, the same header is attacker text:
	// the empty body is inspected as it is.
	plain := New(Config{}).Analyze(context.Background(), "x", strings.NewReader(raw))
	if plain.Attachments[0].Size != 0 {
		t.Errorf("untrusted elision header honoured: size %d", plain.Attachments[0].Size)
	}
}

// TestAnalyzeSummaryDoesNotTrustElisionInsideAttachedMessages: a source
// rebuilds only the outer structure, so an elision mark inside an attached
// message was written by the sender, to hide an archive.
func TestAnalyzeSummaryDoesNotTrustElisionInsideAttachedMessages(t *testing.T) {
	hidden := buildZip(t, zipFile{name: "payload.exe", data: "MZ", password: "pw", method: zip.AES256Encryption})
	forged := part{
		header: "Content-Type: application/octet-stream; name=\"notes.dat\"\r\nContent-Disposition: attachment; filename=\"notes.dat\"\r\nContent-Transfer-Encoding: base64\r\nX-Mxaudit-Elided: 100\r\n",
		body:   base64Lines(hidden),
	}
	inner := buildMessageBoundary("INNER", "From: a@example.net\r\nSubject: fwd\r\n", textPart, forged)
	raw := buildMessage(stdHeader, textPart, part{
		header: "Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n",
		body:   inner,
	})
	m := New(Config{}).AnalyzeSummary(context.Background(), "1/9", []byte(raw))
	if m.Verdict.Attachment != model.AttachmentEncrypted {
		t.Fatalf("verdict %q, want encrypted: the forged elision mark inside the attached message hid the archive", m.Verdict.Attachment)
	}
}
