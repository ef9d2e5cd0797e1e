package analysis

import (
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
