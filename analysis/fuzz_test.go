package analysis

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo/corpus"
)

// FuzzAnalyze feeds arbitrary bytes to the MIME walk: it must never panic
// and must always account for every byte it was given.
func FuzzAnalyze(f *testing.F) {
	f.Add(buildMessage(stdHeader))
	f.Add(buildMessage(stdHeader, textPart, attachment("a.zip", "application/zip", []byte("PK\x03\x04broken"))))
	f.Add("From: =?ISO-2022-JP?B?GyRC?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n--x--")
	if root, _ := corpus.Root(); root != "" {
		_ = filepath.WalkDir(filepath.Join(root, "mime"), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".json") {
				return err
			}
			if raw, err := os.ReadFile(path); err == nil && len(raw) < 64<<10 {
				f.Add(string(raw))
			}
			return nil
		})
	}
	an := New(Config{})
	f.Fuzz(func(t *testing.T, raw string) {
		m := an.Analyze(context.Background(), "fuzz", strings.NewReader(raw))
		want := int64(len(raw))
		if strings.HasPrefix(raw, "From ") {
			if i := strings.IndexByte(raw, '\n'); i >= 0 {
				want -= int64(i + 1)
			} else {
				want = 0
			}
		}
		if m.Size != want {
			t.Fatalf("size %d, want %d", m.Size, want)
		}
		if m.Verdict.Attachment == "" {
			t.Fatal("no verdict")
		}
	})
}
