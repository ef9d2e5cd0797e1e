package analysis

import (
	"context"
	"strings"
	"testing"

	"mxaudit/model"
)

// TestPairingTextSearched checks what an analysis that keeps text for
// pairing records when it has pairing's search (Config.HoldsPassword):
// the search's answer, the text only when the search found a password in
// it (else only the limit it searched to), and neither for a message
// whose header cannot be parsed (its text was never read); without the
// search, the text alone, as before.
func TestPairingTextSearched(t *testing.T) {
	const mail = "From: a@example.jp\r\nSubject: 【パスワード通知】\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nパスワード: Kx-41\r\n"
	var searched []string
	search := func(found bool) func(subject, body string) bool {
		return func(subject, body string) bool {
			searched = append(searched, subject+"|"+strings.TrimSpace(body))
			return found
		}
	}
	for _, tc := range []struct {
		name     string
		raw      string
		holds    func(subject, body string) bool
		wantText bool
		want     model.PasswordsInText
		searched string // what the search was given, "" when not called
	}{
		{"no search", mail, nil, true, "", ""},
		{"found", mail, search(true), true, model.PasswordsFound, "【パスワード通知】|パスワード: Kx-41"},
		{"none", mail, search(false), false, model.PasswordsNone, "【パスワード通知】|パスワード: Kx-41"},
		{"unparsable", "no header at all\r\n", search(false), false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			searched = nil
			m := New(Config{}).WithPairingText(1000, tc.holds).Analyze(context.Background(), "m", strings.NewReader(tc.raw))
			if got := m.PairingText != nil && m.PairingText.Subject != ""; got != tc.wantText {
				t.Errorf("text kept %v, want %v", got, tc.wantText)
			}
			if tc.want == model.PasswordsNone && (m.PairingText == nil || m.PairingText.Max != 1000) {
				// The Stream takes "none" only from a search as far as it reads.
				t.Errorf("the limit searched to was not kept: %+v", m.PairingText)
			}
			if m.PasswordsInText != tc.want {
				t.Errorf("PasswordsInText %q, want %q", m.PasswordsInText, tc.want)
			}
			if got := strings.Join(searched, ";"); got != tc.searched {
				t.Errorf("searched %q, want %q", got, tc.searched)
			}
		})
	}
}

// TestPairingTextNoneOnlyForWholeMessages checks that "no password" is
// recorded only for a message read to its end: one cut short (here by the
// size limit; a read error alike) may read otherwise next time, and the
// answer would be cached with it. Its text is kept, unsearched, instead.
func TestPairingTextNoneOnlyForWholeMessages(t *testing.T) {
	raw := "From: a@example.jp\r\nSubject: hello\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("line of text\r\n", 200)
	none := func(subject, body string) bool { return false }
	for _, tc := range []struct {
		name     string
		maxBytes int64
		want     model.PasswordsInText
	}{
		{"whole", 0, model.PasswordsNone},
		{"cut short", 1000, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Config{MaxMessageBytes: tc.maxBytes}).WithPairingText(1<<20, none).Analyze(context.Background(), "m", strings.NewReader(raw))
			if m.PasswordsInText != tc.want {
				t.Errorf("PasswordsInText %q, want %q (error %q)", m.PasswordsInText, tc.want, m.Error)
			}
			if tc.want == "" && (m.PairingText == nil || m.PairingText.Subject != "hello") {
				t.Errorf("the text of a message cut short was not kept: %+v", m.PairingText)
			}
		})
	}
}
