package mailsrc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMboxForgedFromLine checks that a body line "From ..." followed by
// header lines splits a message only where the message does not say
// otherwise (issue 12): inside a confirmed Content-Length or an open MIME
// structure it stays one message, flagged; a length or structure the file
// contradicts does not swallow the messages after it.
func TestMboxForgedFromLine(t *testing.T) {
	forged := "From attacker Mon Jan  5 00:00:00 2026\nFrom: ceo@bank.example\nSubject: wire transfer\n\nsend money\n"
	multipart := func(closed bool) string {
		m := "From: a@example.com\nSubject: report\nContent-Type: multipart/mixed;\n boundary=\"XYZ\"\n\n--XYZ\nContent-Type: text/plain\n\nhello\n" + forged + "--XYZ\nContent-Type: text/plain\n\nbye\n"
		if closed {
			m += "--XYZ--\n"
		}
		return m
	}
	withLength := func(body string, delta int) string {
		return "From: a@example.com\nSubject: plain\nContent-Length: " + strconv.Itoa(len(body)+delta) + "\n\n" + body
	}
	body := "first line\n" + forged + "last line\n"
	next := "From b Mon Jan  5 00:00:01 2026\nFrom: b@example.com\nSubject: next\n\nnext body\n"
	tests := []struct {
		name      string
		mbox      string
		subjects  []string // the Subject of each message found, in order
		ambiguous []bool
	}{
		{"inside a closed MIME structure", "From a Mon Jan  5 00:00:00 2026\n" + multipart(true) + "\n" + next,
			[]string{"report", "next"}, []bool{true, false}},
		{"MIME structure never closed", "From a Mon Jan  5 00:00:00 2026\n" + multipart(false) + "\n" + next,
			[]string{"report", "wire transfer", "next"}, []bool{false, false, false}},
		{"inside a confirmed Content-Length", "From a Mon Jan  5 00:00:00 2026\n" + withLength(body, 0) + "\n" + next,
			[]string{"plain", "next"}, []bool{true, false}},
		{"confirmed Content-Length at the end of the file", "From a Mon Jan  5 00:00:00 2026\n" + withLength(body, 0),
			[]string{"plain"}, []bool{true}},
		{"Content-Length the file contradicts", "From a Mon Jan  5 00:00:00 2026\n" + withLength(body, 5000) + "\n" + next,
			[]string{"plain", "wire transfer", "next"}, []bool{false, false, false}},
		{"no length, no MIME: RFC 4155 separator", "From a Mon Jan  5 00:00:00 2026\nFrom: a@example.com\nSubject: plain\n\n" + body + "\n" + next,
			[]string{"plain", "wire transfer", "next"}, []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var subjects []string
			var ambiguous []bool
			err := scanMbox(context.Background(), strings.NewReader(tt.mbox), func(m mboxFound) error {
				msg := tt.mbox[m.span.off : m.span.off+m.span.n]
				subj := ""
				for _, line := range strings.Split(msg, "\n") {
					if s, ok := strings.CutPrefix(line, "Subject: "); ok {
						subj = s
						break
					}
				}
				subjects = append(subjects, subj)
				ambiguous = append(ambiguous, m.ambiguous)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(subjects, "|") != strings.Join(tt.subjects, "|") {
				t.Errorf("messages %q, want %q", subjects, tt.subjects)
			}
			for i := range ambiguous {
				if i < len(tt.ambiguous) && ambiguous[i] != tt.ambiguous[i] {
					t.Errorf("message %d ambiguous = %v, want %v", i, ambiguous[i], tt.ambiguous[i])
				}
			}
		})
	}
}

// TestMboxWarnsOfHeldSplit checks that the listing carries the flag of a
// message kept whole, so that scans show it among the reasons.
func TestMboxWarnsOfHeldSplit(t *testing.T) {
	mbox := "From a Mon Jan  5 00:00:00 2026\nFrom: a@example.com\nSubject: report\nContent-Type: multipart/mixed; boundary=B\n\n--B\n\nhi\nFrom x Mon Jan  5 00:00:00 2026\nFrom: ceo@bank.example\n\n--B--\n"
	path := filepath.Join(t.TempDir(), "q.mbox")
	if err := os.WriteFile(path, []byte(mbox), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var entries []Entry
	if err := m.List(context.Background(), func(e Entry) error { entries = append(entries, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.Contains(entries[0].Warning, "kept whole") {
		t.Fatalf("entries %+v, want one with a warning", entries)
	}
}
