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

// analysedCandidates returns what the analysis tells of a mail's
// password candidates, from its search (model.Message.PasswordsInText)
// and the text it kept for pairing (model.Message.PairingText): empty
// when its search found none, the candidates of the kept text, or nil
// when it tells nothing (the mail is read back if pairing needs it).
// Either is taken only when the analysis read as far as pairing reads
// mails back (the kept text's Max; a cached result, which keeps no text,
// has it named in the cache's fingerprint): text kept to another length
// would find other candidates in the same mail.
func analysedCandidates(says model.PasswordsInText, t *model.PairingText, cfg *Config) []Found {
	switch {
	case t != nil && t.Max != cfg.MaxTextBytes:
		return nil
	case says == model.PasswordsNone:
		return []Found{}
	case t == nil:
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
