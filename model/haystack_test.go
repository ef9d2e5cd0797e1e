package model

import (
	"strings"
	"testing"
)

// everyField is the search text with every field written out, as it was
// before haystackAt left out the fields it already holds: the reference
// TestHaystackHoldsEachFieldOnce compares with.
func everyField(m *Message) string {
	fields := []string{m.From, m.FromAddr, m.Subject, m.FromDomain, m.ReturnPath}
	if m.Auth != nil {
		fields = append(fields, m.Auth.SPF.Domain)
		for _, d := range m.Auth.DKIM {
			fields = append(fields, d.Domain)
		}
	}
	fields = append(fields, m.FileNames()...)
	var b strings.Builder
	for _, f := range fields {
		if f != "" {
			b.WriteString(strings.ToLower(f) + "\x00")
		}
	}
	return b.String()
}

// TestHaystackHoldsEachFieldOnce: a field the search text already holds
// is not written again, and every search without a NUL gives what it
// gave on every field written out: each piece of each field is found,
// and nothing new is. The from: term's bounds are the lower-cased From,
// address and Return-Path wherever they are; the domain: list holds a
// repeated domain once.
func TestHaystackHoldsEachFieldOnce(t *testing.T) {
	many := make([]Attachment, 0, 600)
	for i := range 600 {
		many = append(many, Attachment{Filename: strings.Repeat("x", i%7) + "report.pdf"})
	}
	tests := []struct {
		name     string
		m        Message
		shorter  bool // the search text is shorter than every field written out
		domains  int  // the domain: list's length
		contains []string
		twice    string // in the text twice: an attachment's name is never looked for
	}{
		{name: "address inside the From", shorter: true, domains: 1, m: Message{
			From: "Some Body <Some.Body@Example.COM>", FromAddr: "some.body@example.com", FromDomain: "example.com",
			ReturnPath: "some.body@example.com", Subject: "Invoice",
			Auth: &Auth{SPF: SPFResult{Domain: "Example.com"}, DKIM: []DKIMResult{{Domain: "example.com"}}},
		}, contains: []string{"some.body@example.com", "body <some", "invoice"}},
		{name: "a bounce address of its own", shorter: true, domains: 2, m: Message{
			From: "news@example.org", FromAddr: "news@example.org", FromDomain: "example.org",
			ReturnPath: "bounce+123@mailer.example.net", Subject: "News",
			Auth: &Auth{SPF: SPFResult{Domain: "mailer.example.net"}, DKIM: []DKIMResult{{Domain: "example.org"}, {Domain: "mailer.example.net"}}},
		}, contains: []string{"bounce+123", "news@example.org"}},
		{name: "nothing repeats", domains: 0, m: Message{
			From: "Ａｌｉｃｅ", Subject: "KELVIN \u212a sign", ReturnPath: "r@x.example",
		}, contains: []string{"ａｌｉｃｅ", "k sign"}},
		{name: "more names than are looked in", shorter: true, domains: 1, m: Message{
			From: "a@b.example", FromAddr: "a@b.example", FromDomain: "b.example", Attachments: many,
		}, contains: []string{"xxxxxxreport.pdf", "a@b.example"}},
		{name: "a name the subject holds", shorter: true, domains: 1, m: Message{
			From: "a@b.example", FromAddr: "a@b.example", FromDomain: "b.example", Subject: "Scan report.PDF",
			Attachments: []Attachment{{Filename: "Report.pdf"}},
		}, twice: "report.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &tc.m
			hay, at := haystackAt(m)
			full := everyField(m)
			if tc.shorter != (len(hay) < len(full)) {
				t.Errorf("search text of %d bytes, every field written out %d", len(hay), len(full))
			}
			for i, f := range []string{m.From, m.FromAddr, m.ReturnPath} {
				if got, want := hay[at[i][0]:at[i][1]], strings.ToLower(f); got != want {
					t.Errorf("from: bounds %d give %q, want %q", i, got, want)
				}
			}
			// Every piece of every field is found; nothing is found
			// that was not.
			for _, field := range strings.Split(full, "\x00") {
				for i := 0; i < len(field); i += 3 {
					for j := i + 1; j <= len(field) && j <= i+40; j += 5 {
						if !strings.Contains(hay, field[i:j]) {
							t.Fatalf("%q is not in the search text %q", field[i:j], hay)
						}
					}
				}
			}
			for _, field := range strings.Split(hay, "\x00") {
				if !strings.Contains(full, field) {
					t.Errorf("the search text holds %q, which no field does", field)
				}
			}
			if tc.twice != "" && strings.Count(hay, tc.twice) != 2 {
				t.Errorf("%q %d times in %q, want twice", tc.twice, strings.Count(hay, tc.twice), hay)
			}
			for _, s := range tc.contains {
				if !strings.Contains(hay, s) {
					t.Errorf("%q not found", s)
				}
			}
			r := NewRow(m)
			n := 0
			anyPacked(r.domains(), func(string) bool { n++; return false })
			if n != tc.domains {
				t.Errorf("domain: list of %d, want %d", n, tc.domains)
			}
		})
	}
}
