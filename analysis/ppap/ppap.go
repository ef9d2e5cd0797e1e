// Package ppap pairs a mail carrying a password-encrypted ZIP with the
// mail that brings its password (the Japanese "PPAP" practice: ZIP first,
// password minutes later from the same sender), opens the archive, and
// inspects what is inside like any attachment: risky types, macros, nested
// archives, and a virus scanner (clamd) when one is configured.
//
// Passwords are never stored: not in model.Message, not in the output.
// The pairing records only which message held the password
// (model.Archive.PasswordSource); Password re-derives it on request by
// reading both messages again.
//
// Pairing reads messages back through an Opener, so it keeps only a small
// index per message in memory (see Stream).
package ppap

import (
	"context"
	"io"
	"time"

	"mxaudit/analysis"
	"mxaudit/analysis/archive"
	"mxaudit/model"
)

// Scanner is a virus scanner for decrypted content; *clamd.Client is one.
// It must never report clean when it did not scan.
type Scanner interface {
	Scan(ctx context.Context, r io.Reader) model.ScanResult
}

// Config tunes pairing. Zero fields take their defaults.
type Config struct {
	// Window is how long after the ZIP mail its password mail may arrive
	// (default 24h).
	Window time.Duration
	// MaxAttempts caps the passwords tried per archive (default 20).
	MaxAttempts int
	// MaxCandidateMails caps the mails read for passwords per ZIP mail,
	// besides the ZIP mail itself (default 8).
	MaxCandidateMails int
	// MaxTextBytes bounds the body text read from one mail (default 256 KiB).
	MaxTextBytes int64
	// MaxArchiveBytes is the largest attachment decrypted (default 64 MiB,
	// the analyzer's inspection limit).
	MaxArchiveBytes int64
	// MaxEntryBytes is the most decrypted bytes held for one entry
	// (default 32 MiB); a larger entry is inspected in part and not
	// virus-scanned.
	MaxEntryBytes int64
	// Archive bounds nested listings; its MaxTotalDecompressed also caps
	// the decrypted bytes of one attachment, nested archives included,
	// beyond which the archive is a bomb.
	Archive archive.Limits
	// Timeout bounds the pairing of one ZIP mail: reading the candidates,
	// the attempts, decryption and scanning (default 60s).
	Timeout time.Duration
	// Budget bounds the work of one ZIP mail's pairing, password attempts
	// and decryption (default 1s): an archive of thousands of AES entries
	// (a key derivation each) or of nested archives stops there with
	// "not checked: budget" rather than taking a minute. MaxWork bounds
	// the same work by count: passwords tried × entries, one unit per
	// entry a password is tried on (default 1000).
	Budget  time.Duration
	MaxWork int
	// Scanner, when set, scans every decrypted entry.
	Scanner Scanner
	// ScannerName names it in results ("clamd").
	ScannerName string
	// Results, when set, remembers pairings between scans, under keys
	// salted with ResultsSalt: everything besides the mails that changes a
	// pairing's result (these settings, the analysis version).
	Results     Results
	ResultsSalt string
	// Analyzer is the analysis the messages had: pairing reads a message
	// back with its walk, so that attachments are numbered alike
	// (default: an analyzer with default limits).
	Analyzer *analysis.Analyzer
}

// Version names the pairing logic for the pairings a cache remembers
// (Config.Results): a front end puts it in ResultsSalt, and bumps it
// whenever a change alters what pairing finds for the same mails.
// 2026-12-06: mails are read back with the analysis's own walk, so that
// attachments are numbered alike, and a ZIP mail replaced since its
// analysis is not paired. 2026-12-07: the sender index keeps two
// windows before the latest date while ZIP mails wait, not two before the
// oldest of them, which a listing more than two windows out of date order
// can tell apart. 2026-12-07.2: the index keeps the undated mails listed
// after a dated ZIP mail while it waits, which a listing that ends where
// the index prunes can tell apart. 2026-12-07.3: the candidate mails the
// analysis found no password in are not read, nor counted among the
// MaxCandidateMails read, and each archive records how many were read
// (model.Archive.MailsRead). 2026-12-07.4: a candidate mail whose
// passwords the analysis did not know and that holds none counts among
// the MaxCandidateMails read, as among the pins (the mails held for
// their note); MailsRead counts every candidate mail read; a result is
// remembered under which candidates were known to hold no password. (2026-12-06.2 named the bound on a
// mail's candidates for a while, then was withdrawn: the bound pairs
// alike. A name is never given to two versions: remembered results under
// it may exist.)
const Version = "2026-12-07.4"

// Defaults.
const (
	DefaultWindow      = 24 * time.Hour
	DefaultMaxAttempts = 20
	DefaultBudget      = time.Second
	DefaultMaxWork     = 1000
)

func (c Config) withDefaults() Config {
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MaxCandidateMails <= 0 {
		c.MaxCandidateMails = 8
	}
	if c.MaxTextBytes <= 0 {
		c.MaxTextBytes = 256 << 10
	}
	if c.MaxArchiveBytes <= 0 {
		c.MaxArchiveBytes = 64 << 20
	}
	if c.MaxEntryBytes <= 0 {
		c.MaxEntryBytes = 32 << 20
	}
	d := archive.DefaultLimits()
	if c.Archive.MaxTotalDecompressed <= 0 {
		c.Archive.MaxTotalDecompressed = d.MaxTotalDecompressed
	}
	if c.Archive.MaxDepth <= 0 {
		c.Archive.MaxDepth = d.MaxDepth
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	if c.Budget <= 0 {
		c.Budget = DefaultBudget
	}
	if c.MaxWork <= 0 {
		c.MaxWork = DefaultMaxWork
	}
	if c.Analyzer == nil {
		c.Analyzer = analysis.New(analysis.Config{})
	}
	return c
}

// TextBytes is the most body text pairing reads of one mail
// (MaxTextBytes or its default): what an analysis keeps for it
// (analysis.Config.PairingText).
func (c Config) TextBytes() int64 { return c.withDefaults().MaxTextBytes }

func (c *Config) scannerName() string {
	if c.ScannerName != "" {
		return c.ScannerName
	}
	return "clamd"
}

// encryptedArchives returns the indexes of m's attachments that pairing
// tries passwords on (model.Archive.Pairable).
func encryptedArchives(m *model.Message) []int {
	var out []int
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil && a.Pairable() {
			out = append(out, i)
		}
	}
	return out
}

// NeedsPairing reports whether m carries an encrypted archive that pairing
// would try to open.
func NeedsPairing(m *model.Message) bool { return len(encryptedArchives(m)) > 0 }
