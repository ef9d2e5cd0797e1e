package mailsrc

import (
	"errors"
	"strings"
	"testing"
)

func TestClassifyHead(t *testing.T) {
	tests := []struct {
		name    string
		head    string
		mail    bool
		skip    int
		because string // a word the ErrNotMail message must contain
	}{
		{name: "header", head: "Return-Path: <a@b>\nFrom: a\n", mail: true},
		{name: "CRLF header", head: "Received: from x\r\n\tby y\r\n", mail: true},
		{name: "obsolete blank before colon", head: "From  : John Doe <jdoe@machine.example>\n", mail: true},
		{name: "misspelt field name", head: "Recieved: from nahou\n", mail: true},
		{name: "byte order mark", head: "\uFEFFFrom: <abuse@example.com>\n", mail: true, skip: 3},
		{name: "blank before the first field", head: " From: James <james@example.com>\n", mail: true, skip: 1},
		{name: "BOM and blanks", head: "\uFEFF \tSubject: x\n", mail: true, skip: 5},
		{name: "underscore in field name", head: "X_Mailer: x\n", mail: true},
		{name: "dash first", head: "-X: y\n", because: "header"},
		{name: "blanks then prose", head: "   indented text\n", because: "header"},
		{name: "mbox From_ line then header", head: "From jdoe@example.com Mon Mar  7 14:23:23 2011\nSubject: x\n", mail: true, skip: 47},
		{name: "CRLF From_ line", head: "From x Mon Mar  7 14:23:23 2011\r\nSubject: x\r\n", mail: true, skip: 33},
		{name: "From_ line then prose", head: "From here on, everything changes\nbelieve me\n", because: "From_"},
		{name: "From_ line alone", head: "From x Mon Mar  7 14:23:23 2011", because: "header"},
		{name: "empty", head: "", because: "empty"},
		{name: "leading blank line", head: "\nSubject: x\n", because: "header"},
		{name: "prose", head: "Send Ppp mailing list submissions to\n\tppp@zzz.org\n", because: "header"},
		{name: "markdown", head: "# mime/ — MIME parsing: edge cases\n", because: "header"},
		{name: "json", head: "{\"headers\": {\"From\": \"x\"}}\n", because: "header"},
		{name: "zip", head: "PK\x03\x04\x14\x00\x00\x00\x08\x00", because: "header"},
		{name: "png", head: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", because: "header"},
		{name: "pdf", head: "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", because: "header"},
		{name: "space in field name", head: "Dear customer: hello\n", because: "header"},
		{name: "colon first", head: ": value\n", because: "header"},
		{name: "8-bit field name", head: "Sub\xe9ct: x\n", because: "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skip, err := classifyHead([]byte(tt.head))
			if tt.mail {
				if err != nil || skip != tt.skip {
					t.Fatalf("classifyHead = %d, %v; want mail, skip %d", skip, err, tt.skip)
				}
				return
			}
			if !errors.Is(err, ErrNotMail) {
				t.Fatalf("classifyHead = %d, %v; want ErrNotMail", skip, err)
			}
			if !strings.Contains(err.Error(), tt.because) {
				t.Errorf("error %q does not mention %q", err, tt.because)
			}
		})
	}
}

func TestSniffGzip(t *testing.T) {
	big := tinyMessage(strings.Repeat("long subject ", 500))
	full := gzipped(t, big)
	tests := []struct {
		name    string
		content string
		want    func(error) bool
	}{
		{"plain mail", tinyMessage("x"), func(err error) bool { return err == nil }},
		{"gzip mail", gzipped(t, tinyMessage("x")), func(err error) bool { return err == nil }},
		{"gzip text", gzipped(t, "just some text\n"), func(err error) bool { return errors.Is(err, ErrNotMail) }},
		{"gzip header only", full[:10], func(err error) bool { return err != nil && !errors.Is(err, ErrNotMail) }},
		{"gzip cut in the head", full[:40], func(err error) bool { return err != nil && !errors.Is(err, ErrNotMail) }},
		{"gzip bad header", "\x1f\x8b\x09garbage garbage", func(err error) bool { return err != nil && !errors.Is(err, ErrNotMail) }},
		{"gzip corrupt deflate", full[:10] + strings.Repeat("\xff", 50), func(err error) bool { return err != nil && !errors.Is(err, ErrNotMail) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Twice: the second run takes a pooled gzip reader.
			for range 2 {
				if err := sniff(strings.NewReader(tt.content)); !tt.want(err) {
					t.Fatalf("sniff = %v", err)
				}
			}
		})
	}
}
