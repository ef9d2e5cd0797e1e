package ppap

import (
	"context"
	"io"
	"strings"

	"mxaudit/analysis"
	"mxaudit/model"
)

// Opener returns the raw bytes of one message of the source being paired;
// mailsrc.Source's Open method is one.
type Opener func(ctx context.Context, id model.MessageID) (io.ReadCloser, error)

// readMail opens id and reads it back with the analysis's own walk
// (analysis.ReadBack), so that attachment numbers agree with
// model.Message.Attachments: its text when wantText (at most
// cfg.MaxTextBytes), and the attachments whose indexes are in want, each
// up to cfg.MaxArchiveBytes.
func readMail(ctx context.Context, cfg *Config, open Opener, id model.MessageID, wantText bool, want map[int]bool) (*analysis.ReadBack, error) {
	rc, err := open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	textMax := int64(0)
	if wantText {
		textMax = cfg.MaxTextBytes
	}
	return cfg.Analyzer.ReadBack(rc, func(i int) bool { return want[i] }, textMax, cfg.MaxArchiveBytes)
}

// readCandidates reads the password candidates of one mail back.
func readCandidates(ctx context.Context, cfg *Config, open Opener, id model.MessageID) ([]Found, error) {
	rb, err := readMail(ctx, cfg, open, id, true, nil)
	if err != nil {
		return nil, err
	}
	return mailCandidates(rb.Subject, rb.Text, cfg.MaxAttempts), nil
}

// keptCandidates returns the password candidates of the text an analysis
// kept for pairing (model.Message.PairingText), nil when it kept none, or
// kept it to another length than the mails are read back to (which would
// find other candidates in the same mail).
func keptCandidates(t *model.PairingText, cfg *Config) []Found {
	if t == nil || t.Max != cfg.MaxTextBytes {
		return nil
	}
	found := mailCandidates(t.Subject, t.Body, cfg.MaxAttempts)
	for i := range found {
		// A password may be a slice of the text, which a Ref must not
		// keep alive for its two windows.
		found[i].Password = strings.Clone(found[i].Password)
	}
	return found
}
