package analysis

import (
	"context"
	"strings"
	"testing"
)

// TestSubjectPrefersDeclaredCharset is item 8 of issue 15: an unencoded
// 8-bit subject in a message that declares windows-1252 elsewhere is
// read as windows-1252, not guessed as Shift_JIS; without a declaration
// the Japanese guess stays.
func TestSubjectPrefersDeclaredCharset(t *testing.T) {
	raw := "From: =?windows-1252?Q?Andr=E9?= <a@example.fr>\r\nSubject: Caf\xe9 r\xe9sum\xe9\r\n" +
		"Content-Type: text/plain; charset=windows-1252\r\n\r\nbonjour\r\n"
	m := New(Config{}).Analyze(context.Background(), "x", strings.NewReader(raw))
	if m.Subject != "Café résumé" {
		t.Errorf("subject %q", m.Subject)
	}
	sjis := "Subject: \x8c\xa9\x90\xcf\r\n\r\nbody\r\n" // 見積 in Shift_JIS, nothing declared
	if m := New(Config{}).Analyze(context.Background(), "y", strings.NewReader(sjis)); m.Subject != "見積" {
		t.Errorf("undeclared Shift_JIS subject %q", m.Subject)
	}
}

// TestDeclaredCharsetThatDoesNotFit: a message declaring ISO-2022-JP
// whose subject is raw Shift_JIS is still read as Shift_JIS.
func TestDeclaredCharsetThatDoesNotFit(t *testing.T) {
	raw := "Subject: \x8c\xa9\x90\xcf\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\nbody\r\n"
	if m := New(Config{}).Analyze(context.Background(), "z", strings.NewReader(raw)); m.Subject != "見積" {
		t.Errorf("subject %q", m.Subject)
	}
}
