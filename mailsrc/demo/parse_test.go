package demo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	_ "github.com/emersion/go-message/charset" // decoders for ISO-2022-JP, Shift_JIS, EUC-JP
	"github.com/emersion/go-message/mail"
)

// parseAll reads every part of raw with go-message and returns the decoded
// subject and attachment file names, or the first error.
func parseAll(raw []byte) (subject string, files []string, err error) {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return "", nil, err
	}
	subject, err = r.Header.Subject()
	if err != nil {
		return "", nil, fmt.Errorf("subject: %w", err)
	}
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return subject, files, nil
		}
		if err != nil {
			return subject, files, err
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, err := h.Filename()
			if err != nil {
				return subject, files, fmt.Errorf("filename: %w", err)
			}
			files = append(files, name)
		}
		if _, err := io.Copy(io.Discard, p.Body); err != nil {
			return subject, files, err
		}
	}
}

func TestSamplesParse(t *testing.T) {
	for _, s := range Samples(Options{}) {
		t.Run(s.Name, func(t *testing.T) {
			subject, files, err := parseAll(s.Raw)
			if s.Want.Malformed {
				if err == nil {
					t.Fatalf("%s: marked malformed but go-message read it all", s.Want.Scenario)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", s.Want.Scenario, err)
			}
			// go-message does not decode a raw ISO-2022-JP header; the
			// analysis must, so only encoded subjects are compared here.
			if !strings.Contains(s.Want.Scenario, "raw ISO-2022-JP") && subject != s.Want.Subject {
				t.Errorf("subject %q, want %q", subject, s.Want.Subject)
			}
			if len(files) != len(s.Want.Files) {
				t.Fatalf("files %q, want %d", files, len(s.Want.Files))
			}
			for i, f := range files {
				if f != s.Want.Files[i].Name {
					t.Errorf("file %d: %q, want %q", i, f, s.Want.Files[i].Name)
				}
			}
		})
	}
}
