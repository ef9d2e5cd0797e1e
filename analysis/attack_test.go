package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yeka/zip"

	"mxaudit/model"
)

// TestFromAddressNotForged checks that only a From with exactly one
// literal addr-spec yields from_address: exceptions match on it, so an
// address made of an encoded word (RFC 2047 section 5 forbids them in an
// addr-spec), several addresses or none must leave it empty.
func TestFromAddressNotForged(t *testing.T) {
	tests := []struct {
		name, from, wantAddr, wantDomain string
	}{
		{"plain", "From: ceo@bank.example\r\n", "ceo@bank.example", "bank.example"},
		{"encoded display name", "From: =?utf-8?b?5bGx55Sw?= <yamada@Example.jp>\r\n", "yamada@example.jp", "example.jp"},
		{"encoded word as address", "From: =?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?=\r\n", "", ""},
		{"encoded word in angle brackets", "From: <=?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?=>\r\n", "", ""},
		{"encoded word with comma", "From: =?utf-8?q?Boss=2C_ceo=40bank=2Eexample?=\r\n", "", ""},
		{"two addresses", "From: a@one.example, b@two.example\r\n", "", ""},
		{"two From fields", "From: a@one.example\r\nFrom: b@two.example\r\n", "", ""},
		{"empty", "From: \r\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := analyse(t, tt.from+"Subject: x\r\n\r\nbody\r\n")
			if m.FromAddr != tt.wantAddr || m.FromDomain != tt.wantDomain {
				t.Errorf("from_address %q from_domain %q, want %q %q (From %q)", m.FromAddr, m.FromDomain, tt.wantAddr, tt.wantDomain, m.From)
			}
		})
	}
}

// TestTopLevelForwardedMessage checks that a mail whose whole body is a
// message/rfc822 or message/global is walked like a nested one.
func TestTopLevelForwardedMessage(t *testing.T) {
	inner := buildMessageBoundary("INNER", "From: a@example.net\r\nSubject: original\r\n",
		attachment("setup.exe", "application/octet-stream", []byte("MZ\x90\x00payload")),
		attachment("secret.zip", "application/zip", buildZip(t, zipFile{name: "x.txt", data: "x", password: "p", method: zip.StandardEncryption})))
	for _, ct := range []string{"message/rfc822", "message/global"} {
		t.Run(ct, func(t *testing.T) {
			raw := "From: fwd@example.com\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: " + ct + "\r\n\r\n" + inner
			m := analyse(t, raw)
			if m.Verdict.Attachment != model.AttachmentEncrypted {
				t.Errorf("verdict %q, want encrypted (reasons %q)", m.Verdict.Attachment, m.Verdict.Reasons)
			}
			names := map[string]bool{}
			for _, a := range m.Attachments {
				names[a.Filename] = true
			}
			if !names["original/setup.exe"] || !names["original/secret.zip"] {
				t.Errorf("attachments %v, want original/setup.exe and original/secret.zip", names)
			}
		})
	}
}

// TestAttackerCases checks the seven cases of issue 12, each sent as an
// attachment: the verdict and a reason that names what was found.
func TestAttackerCases(t *testing.T) {
	zipCrypto := func() []byte {
		return buildZip(t, zipFile{name: "setup.exe", data: "MZ payload", password: "p", method: zip.StandardEncryption})
	}
	// Encryption bit cleared in the central directory only (APPNOTE 4.3.12
	// general purpose flag at offset 8 of the record).
	cdCleared := zipCrypto()
	cd := bytes.Index(cdCleared, []byte("PK\x01\x02"))
	cdCleared[cd+8] &^= 1
	plain := buildZip(t, zipFile{name: "readme.txt", data: "hello"})
	nested := buildZip(t, zipFile{name: "inner.zip", data: string(zipCrypto())})
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name, file, ct string
		data           []byte
		want           model.AttachmentVerdict
		reason         string
		risk           model.Risk
	}{
		{"central directory clears the bit", "a.zip", "application/zip", cdCleared, model.AttachmentEncrypted, "a.zip/setup.exe: the central directory and the local header disagree (encryption flags 0x0000 in the central directory, 0x0001 in the local header)", model.RiskHeaderMismatch},
		{"encrypted then plain", "a.zip", "application/zip", slices.Concat(zipCrypto(), plain), model.AttachmentEncrypted, "a.zip (ZIP at byte 0): encrypted ZIP (ZipCrypto)", model.RiskConcatenated},
		{"one junk byte", "a.zip", "application/zip", slices.Concat([]byte("X"), zipCrypto()), model.AttachmentEncrypted, "a.zip: encrypted ZIP (ZipCrypto)", model.RiskPrefixedData},
		{"GIF header, image name", "cat.gif", "image/gif", slices.Concat([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), zipCrypto()), model.AttachmentEncrypted, "cat.gif: encrypted ZIP", model.RiskPrefixedData},
		{"encrypted in plain", "docs.zip", "application/zip", nested, model.AttachmentEncrypted, "docs.zip/inner.zip: encrypted ZIP (ZipCrypto)", model.RiskNestedArchive},
		{"encrypted 7z", "a.7z", "application/x-7z-compressed", fixture("encrypted.7z"), model.AttachmentEncrypted, "a.7z: encrypted 7z (AES-256), 1 of 1", ""},
		{"7z with encrypted headers", "a.7z", "application/octet-stream", fixture("encrypted-headers.7z"), model.AttachmentEncrypted, "headers encrypted", model.RiskEncryptedHeaders},
		{"encrypted RAR 4", "a.rar", "application/vnd.rar", fixture("encrypted-rar4.rar"), model.AttachmentEncrypted, "a.rar: encrypted RAR (AES-128), 1 of 2", model.RiskExecutable},
		{"encrypted RAR 5", "a.rar", "application/vnd.rar", fixture("encrypted-rar5.rar"), model.AttachmentEncrypted, "a.rar: encrypted RAR (AES-256), 1 of 2", model.RiskExecutable},
		{"named zip, not an archive", "invoice.zip", "application/octet-stream", []byte("just some text"), model.AttachmentError, "invoice.zip: declared as an archive", model.RiskBrokenArchive},
		{"typed zip, not an archive", "invoice.dat", "application/zip", []byte("just some text"), model.AttachmentError, "declared as an archive", model.RiskBrokenArchive},
		{"text that merely mentions PK", "notes.txt", "text/plain", []byte("a ZIP starts with PK\x03\x04 and ends with PK\x05\x06"), model.AttachmentClean, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := analyse(t, buildMessage(stdHeader, textPart, attachment(tt.file, tt.ct, tt.data)))
			if m.Verdict.Attachment != tt.want {
				t.Errorf("verdict %q, want %q (reasons %q)", m.Verdict.Attachment, tt.want, m.Verdict.Reasons)
			}
			if tt.reason != "" && !slices.ContainsFunc(m.Verdict.Reasons, func(r string) bool { return strings.Contains(r, tt.reason) }) {
				t.Errorf("reasons %q lack %q", m.Verdict.Reasons, tt.reason)
			}
			if tt.risk != "" && !slices.Contains(m.Attachments[0].Risks, tt.risk) {
				t.Errorf("risks %v lack %s", m.Attachments[0].Risks, tt.risk)
			}
		})
	}
}
