package scan

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// undatedAnalyzer finds no Date in any message.
type undatedAnalyzer struct{}

func (undatedAnalyzer) Analyze(_ context.Context, id model.MessageID, raw io.Reader) model.Message {
	_, _ = io.Copy(io.Discard, raw)
	return model.Message{ID: id}
}

// TestRunDatesUndatedMailByItsFile checks that a message without a Date
// gets its file's modification time as its delivery date, whether the
// listing read the file's metadata (a directory of files) or not (a
// Maildir lists names and inode numbers only).
func TestRunDatesUndatedMailByItsFile(t *testing.T) {
	delivered := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		file string // where the message goes, under the source's folder
		open func(dir string) (mailsrc.Source, error)
	}{
		{"maildir", "cur/1764322200.M1P1.host:2,S", func(dir string) (mailsrc.Source, error) { return mailsrc.NewMaildir(dir) }},
		{"directory", "q/undated.eml", func(dir string) (mailsrc.Source, error) { return mailsrc.NewDir(dir) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, sub := range []string{"cur", "new", "tmp", "q"} {
				if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, filepath.FromSlash(tt.file))
			if err := os.WriteFile(path, []byte("From: a@example.com\r\nSubject: no date\r\n\r\nbody\r\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, delivered, delivered); err != nil {
				t.Fatal(err)
			}
			src, err := tt.open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var got []model.Message
			err = Run(t.Context(), src, undatedAnalyzer{}, Options{}, func(m model.Message) error {
				got = append(got, m)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d messages, want 1", len(got))
			}
			if !got[0].Date.Equal(delivered) || got[0].DateSource != model.DateDelivered {
				t.Errorf("Date %v (%q), want the file's time %v, delivered", got[0].Date, got[0].DateSource, delivered)
			}
		})
	}
}
