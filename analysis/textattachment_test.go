package analysis_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yeka/zip"

	"mxaudit/analysis"
)

// encryptedZip returns an AES-256 ZIP of two entries whose bytes above
// 0x7F a charset conversion would widen.
func encryptedZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"invoice.exe", "readme.txt"} {
		w, err := zw.Encrypt(name, "s3cret", zip.AES256Encryption)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.Repeat([]byte("MZ\x90\x00\x03\x00\xff\xfe"), 300)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sevenZipEntries lists the entries 7-Zip finds in file and whether each
// is encrypted; it skips without 7-Zip (CI installs p7zip-full).
func sevenZipEntries(t *testing.T, file []byte) map[string]bool {
	t.Helper()
	bin := ""
	for _, name := range []string{"7zz", "7z"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("SKIPPED: 7-Zip (7z or 7zz) is not installed; install p7zip-full to compare with it (CI does)")
	}
	path := filepath.Join(t.TempDir(), "saved")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(bin, "l", "-slt", "-pwrong", path).CombinedOutput()
	entries := map[string]bool{}
	name := ""
	for _, line := range strings.Split(string(out), "\n") {
		if n, ok := strings.CutPrefix(line, "Path = "); ok && n != path {
			name = n
			entries[name] = false
		}
		if line == "Encrypted = +" && name != "" {
			entries[name] = true
		}
	}
	return entries
}

// TestTextAttachmentInLegacyCharset: an attachment declared text/* with a
// legacy charset is judged by the bytes a mail client saves (the base64
// decoded, never converted to UTF-8), which is what 7-Zip then opens. A
// converted body would widen every byte above 0x7F and hide the archive's
// real sizes and encryption method.
func TestTextAttachmentInLegacyCharset(t *testing.T) {
	file := encryptedZip(t)
	tool := sevenZipEntries(t, file)
	if len(tool) != 2 || !tool["invoice.exe"] || !tool["readme.txt"] {
		t.Fatalf("7-Zip lists %v; the fixture is wrong", tool)
	}
	for _, cs := range []string{"windows-1252", "iso-8859-1", "iso-2022-jp", "shift_jis", "euc-jp", "cp932", "koi8-r", "utf-16"} {
		for _, name := range []string{"scan.txt", "invoice.zip"} {
			t.Run(cs+"/"+name, func(t *testing.T) {
				raw := fmt.Sprintf("From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"+
					"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=%s\r\n\r\nhello\r\n"+
					"--XX\r\nContent-Type: text/plain; charset=%s\r\nContent-Disposition: attachment; filename=%q\r\n"+
					"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--XX--\r\n", cs, cs, name, base64.StdEncoding.EncodeToString(file))
				m := analysis.New(analysis.Config{}).Analyze(context.Background(), "x", strings.NewReader(raw))
				if len(m.Attachments) != 1 {
					t.Fatalf("%d attachments, want 1", len(m.Attachments))
				}
				att := m.Attachments[0]
				if att.Size != int64(len(file)) {
					t.Errorf("size %d, want the file's %d bytes", att.Size, len(file))
				}
				if att.Archive == nil || att.Archive.Encryption != "aes256" {
					t.Fatalf("archive %+v, want an AES-256 ZIP", att.Archive)
				}
				var names []string
				for _, e := range att.Archive.Entries {
					names = append(names, e.Name)
					if !tool[e.Name] {
						t.Errorf("entry %q, which 7-Zip does not list as encrypted", e.Name)
					}
					if e.Size != 2400 {
						t.Errorf("entry %q size %d, want 2400", e.Name, e.Size)
					}
				}
				slices.Sort(names)
				if !slices.Equal(names, []string{"invoice.exe", "readme.txt"}) {
					t.Errorf("entries %v, want what 7-Zip lists", names)
				}
				if !m.IsEncrypted() {
					t.Error("not judged encrypted")
				}
			})
		}
	}
}
