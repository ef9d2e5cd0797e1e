package analysis

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo/corpus"
	"mxaudit/model"
)

// TestCorpusMIME analyses every third-party MIME sample: none may panic,
// hang or lose its size, and the documented Japanese cases must decode.
func TestCorpusMIME(t *testing.T) {
	dir := corpus.Dir(t, "mime")
	an := New(Config{})
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".json") || d.Name() == "COPYING" {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		m := an.Analyze(context.Background(), model.MessageID(d.Name()), strings.NewReader(string(raw)))
		want := int64(len(raw))
		if strings.HasPrefix(string(raw), "From ") {
			want -= int64(strings.IndexByte(string(raw), '\n') + 1) // the mbox envelope line
		}
		if m.Size != want {
			t.Errorf("%s: size %d, want %d", path, m.Size, want)
		}
		if m.Verdict.Attachment == "" {
			t.Errorf("%s: no attachment verdict", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Errorf("analysed only %d corpus files; the corpus README promises over 300", n)
	}
}

func TestCorpusJapanese(t *testing.T) {
	dir := corpus.Dir(t, "mime")
	tests := []struct {
		file    string
		subject string
		files   []string
	}{
		{"mimekit/japanese.txt", "日本語メールテスト (testing Japanese emails)", nil},
		{"ruby-mail/multi_charset/japanese_iso_2022.eml", "まみむめも", nil},
		{"ruby-mail/multi_charset/japanese.eml", "まみむめも", nil},
		{"ruby-mail/multi_charset/japanese_attachment.eml", "", []string{"てすと.txt"}},
		{"ruby-mail/multi_charset/japanese_attachment_long_name.eml", strings.Repeat("まみむめも", 10), []string{"かきくけこかきくけこかきくけこかきくけこかきくけこ.txt"}},
		{"ruby-mail/attachment_emails/attachment_nonascii_filename.eml", "", []string{"ciële.txt"}},
		// An RFC 2231 value claiming ISO-2022-JP that holds an invalid byte:
		// it must decode with a replacement character, not fail.
		{"ruby-mail/attachment_emails/attachment_with_encoded_name.eml", "", []string{"01 Quien Te Dij\uFFFDat. Pitbull.mp3"}},
	}
	an := New(Config{})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m := an.Analyze(context.Background(), "c", strings.NewReader(string(raw)))
			if tt.subject != "" && m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			names := m.FileNames()
			for _, want := range tt.files {
				found := false
				for _, n := range names {
					found = found || n == want
				}
				if !found {
					t.Errorf("file names %q, want %q among them", names, want)
				}
			}
		})
	}
}
