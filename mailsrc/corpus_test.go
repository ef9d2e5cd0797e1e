package mailsrc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo/corpus"
)

// TestCorpusMIME lists the third-party MIME corpus as a directory of
// message files: every file must come out as mail or as ErrNotMail (never
// a read error, never a panic), every message must open, and the files
// the corpus documents as messages or as non-messages must be classified
// so.
func TestCorpusMIME(t *testing.T) {
	dir := corpus.Dir(t, "mime")
	src, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	entries := listAll(t, src)

	var files int
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			files++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != files {
		t.Errorf("listed %d entries for %d files (hidden ones excluded)", len(entries), files)
	}

	// Documented in the corpus's SOURCE.md files: not messages.
	notMail := map[string]bool{
		"cpython-email/msg_19.txt":                                   true, // a body without header, "not a message"
		"ruby-mail/sample_output_multipart":                          true, // an empty file
		"stalwart-mail-parser-malformed/COPYING":                     true,
		"SOURCE.md":                                                  true,
		"cpython-email/SOURCE.md":                                    true,
		"ruby-mail/SOURCE.md":                                        true,
		"mimekit/SOURCE.md":                                          true,
		"enmime/SOURCE.md":                                           true,
		"spamscope-mail-parser/SOURCE.md":                            true,
		"stalwart-mail-parser-malformed/SOURCE.md":                   true,
		"stalwart-mail-parser-malformed/001.json":                    true,  // expected part trees
		"enmime/mail/erroneous.raw":                                  true,  // "// Not an RFC-822 Document"
		"enmime/low-quality/bad-header-start.raw":                    false, // a blank before "From:"
		"ruby-mail/rfc2822/example13.eml":                            false,
		"mimekit/feedback-report.txt":                                false, // starts with a byte order mark
		"stalwart-mail-parser-malformed/019.eml":                     false, // "Fro :uMmlti Sender <...>"
		"ruby-mail/error_emails/content_transfer_encoding_empty.eml": false, // "Recieved:"
	}
	var mail, skipped int
	for _, e := range entries {
		id := string(e.ID)
		switch {
		case e.Err == nil:
			mail++
			body := readMessage(t, src, e.ID)
			if !isHeaderLine([]byte(body)) {
				t.Errorf("%s: opened message does not start with a header: %.40q", id, body)
			}
		case errors.Is(e.Err, ErrNotMail):
			skipped++
		default:
			t.Errorf("%s: %v, want mail or ErrNotMail", id, e.Err)
		}
		if want, documented := notMail[id]; documented && want != errors.Is(e.Err, ErrNotMail) {
			t.Errorf("%s: Err = %v, want not-mail %v", id, e.Err, want)
		}
		if strings.HasSuffix(id, ".json") && e.Err == nil {
			t.Errorf("%s: a JSON file taken for mail", id)
		}
	}
	t.Logf("%d files: %d messages, %d not mail", len(entries), mail, skipped)
}

// TestCorpusDKIMPyMbox reads dkimpy's message.mbox. Despite its name it
// holds a single message with no From_ line at all (it starts with
// "Return-Path:"; checked: no line of the 4,444-byte file starts with
// "From "), so the mbox reader must give exactly one message, the whole
// file, and Open must see a single message file.
func TestCorpusDKIMPyMbox(t *testing.T) {
	path := filepath.Join(corpus.Dir(t, "dkim/dkimpy"), "message.mbox")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := NewMbox(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, mb)
	entries := listAll(t, mb)
	if len(entries) != 1 || entries[0].ID != "0" || entries[0].Err != nil || entries[0].Size != int64(len(raw)) {
		t.Fatalf("entries = %+v, want one message at offset 0 of %d bytes", entries, len(raw))
	}
	if got := readMessage(t, mb, "0"); got != string(raw) {
		t.Errorf("the message differs from the file (%d bytes, want %d)", len(got), len(raw))
	}

	src, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, src)
	if !strings.HasPrefix(src.Name(), "file ") {
		t.Errorf("Open took it for %q, want a single message file", src.Name())
	}
	if got := listAll(t, src); len(got) != 1 || got[0].Err != nil {
		t.Errorf("Open's listing: %+v", got)
	}
}
