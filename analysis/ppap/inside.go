package ppap

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis/archive"
	"mxaudit/analysis/filetype"
	"mxaudit/model"
)

// opening carries the budgets of one attachment's decryption: the bytes
// that may still be decompressed (nested archives included), the password
// attempts left, and the deadline.
type opening struct {
	ctx       context.Context
	cfg       *Config
	budget    int64
	attempts  []attempt // every candidate, ranked; tried again on nested archives
	triesLeft int       // attempts left for nested archives and odd entries
	work      *budget   // the message's work budget, shared by its archives
	// decided is set once a decrypted entry carries a risk: the message
	// then needs a risky-type exception whatever the other entries hold,
	// so they are not decrypted (the work would decide nothing).
	decided bool
}

func (o *opening) expired() bool { return o.ctx.Err() != nil }

// stop is the findPassword check for one more attempt: the deadline, or
// the work budget spent.
func (o *opening) stop() bool { return o.expired() || !o.work.spend() }

// decryptInto opens every entry of z with password and records in arc
// what is inside: content risks, nested archives (listed, and opened in
// turn when encrypted) and the virus scanner's verdict. arc is z's listing
// by archive.Inspect; depth is z's nesting level (0 = the attachment).
func (o *opening) decryptInto(z *zipArchive, arc *model.Archive, password string, depth int) {
	entries := matchEntries(z.files, arc)
	for i, f := range z.files {
		if isDir(f) {
			continue
		}
		e := entries[i]
		if e == nil {
			continue // not in the listing (cut at the entry limit)
		}
		if o.budget <= 0 || o.expired() {
			arc.Truncated = true
			if o.budget <= 0 {
				arc.Risks = model.AddRisk(arc.Risks, model.RiskBomb)
			}
			return
		}
		if o.decided {
			arc.Truncated, arc.NotChecked = true, model.NotCheckedDecided
			return
		}
		if !o.work.spend() {
			arc.Truncated, arc.NotChecked = true, model.NotCheckedBudget
			return
		}
		capBytes := min(o.cfg.MaxEntryBytes, o.budget)
		data, truncated, err := z.openEntry(f, password, capBytes)
		if errors.Is(err, errWrongPassword) {
			// Archives may mix passwords; try the other candidates once.
			data, truncated, err = o.openWithOthers(z, f, password, capBytes)
		}
		if err != nil {
			continue // the entry stays as listed, not decrypted
		}
		o.budget -= int64(len(data))
		e.Decrypted = true
		if truncated {
			arc.Truncated = true
			if f.UncompressedSize64 <= uint64(capBytes) || o.budget <= 0 {
				// More data than the header declared, or the whole
				// budget gone: a bomb, whatever the declared sizes say.
				arc.Risks = model.AddRisk(arc.Risks, model.RiskBomb)
			}
		}
		o.inspectEntry(e, data, truncated, password, depth)
	}
}

// openWithOthers tries the remaining candidates on one entry that refused
// the archive's password.
func (o *opening) openWithOthers(z *zipArchive, f *yzip.File, tried string, capBytes int64) ([]byte, bool, error) {
	for _, a := range o.attempts {
		if o.triesLeft <= 0 || o.expired() {
			break
		}
		if a.password == tried {
			continue
		}
		if !o.work.spend() {
			break
		}
		o.triesLeft--
		data, truncated, err := z.open(f, a.password, capBytes)
		if !errors.Is(err, errWrongPassword) {
			return data, truncated, err
		}
	}
	return nil, false, errWrongPassword
}

// inspectEntry judges one decrypted entry like an attachment: its bytes
// (executables, macros, encrypted documents), a nested ZIP or OOXML
// document (listed, and decrypted when encrypted), and the virus scanner.
func (o *opening) inspectEntry(e *model.Entry, data []byte, truncated bool, password string, depth int) {
	sc := filetype.NewScanner(e.Name)
	_, _ = sc.Write(data)
	for _, r := range sc.Risks() {
		e.Risks = model.AddRisk(e.Risks, r)
		o.decided = true
	}
	if archive.IsZip(data) && !truncated {
		o.inspectNested(e, data, password, depth)
	}
	if o.cfg.Scanner == nil {
		return
	}
	if truncated {
		e.Scan = &model.ScanResult{Engine: o.cfg.scannerName(), Result: model.ScanNotScanned,
			Error: fmt.Sprintf("larger than the %d-byte inspection limit", len(data))}
		return
	}
	res := o.cfg.Scanner.Scan(o.ctx, bytes.NewReader(data))
	e.Scan = &res
}

// inspectNested lists a ZIP found inside a decrypted entry and, when it is
// itself encrypted, tries the outer password and then the other
// candidates on it.
func (o *opening) inspectNested(e *model.Entry, data []byte, password string, depth int) {
	lim := o.cfg.Archive
	lim.MaxTotalDecompressed = max(1, min(lim.MaxTotalDecompressed, o.budget))
	lim.MaxDepth = max(1, lim.MaxDepth-depth-1)
	nested := archive.Inspect(bytes.NewReader(data), int64(len(data)), e.Name, lim)
	e.Archive = nested
	if !isDocument(nested) {
		e.Risks = model.AddRisk(e.Risks, model.RiskNestedArchive)
	}
	if !nested.Encrypted || nested.Error != "" {
		return
	}
	if depth+1 >= o.cfg.Archive.MaxDepth {
		nested.Truncated = true
		return
	}
	z, err := openZip(data)
	if err != nil {
		return
	}
	tries := []attempt{{password: password, source: -1}}
	for _, a := range o.attempts {
		if a.password != password && len(tries) <= o.triesLeft {
			tries = append(tries, a)
		}
	}
	idx, n, err := z.findPassword(tries, o.cfg.MaxEntryBytes, o.stop)
	o.triesLeft -= max(0, n-1)
	nested.PasswordAttempts = n
	if o.work.exhausted() && idx < 0 {
		nested.NotChecked = model.NotCheckedBudget
	}
	if err != nil || idx < 0 {
		return
	}
	nested.Decrypted = true
	o.decryptInto(z, nested, tries[idx].password, depth+1)
}

// isDocument tells an OOXML or OpenDocument file (a ZIP by its bytes)
// from an archive a user would unpack.
func isDocument(a *model.Archive) bool {
	for _, e := range a.Entries {
		if e.Name == "[Content_Types].xml" || e.Name == "mimetype" {
			return true
		}
	}
	return false
}

// matchEntries pairs yeka/zip's files with the listing's entries. Both
// read the same central directory in order, so the index matches when the
// counts and sizes agree; otherwise an entry is matched by its sizes.
func matchEntries(files []*yzip.File, arc *model.Archive) []*model.Entry {
	out := make([]*model.Entry, len(files))
	used := make([]bool, len(arc.Entries))
	same := func(f *yzip.File, e *model.Entry) bool {
		return uint64(e.Size) == f.UncompressedSize64 && uint64(e.CompressedSize) == f.CompressedSize64
	}
	for i, f := range files {
		if i < len(arc.Entries) && !used[i] && same(f, &arc.Entries[i]) {
			out[i], used[i] = &arc.Entries[i], true
		}
	}
	for i, f := range files {
		if out[i] != nil {
			continue
		}
		for j := range arc.Entries {
			if !used[j] && same(f, &arc.Entries[j]) {
				out[i], used[j] = &arc.Entries[j], true
				break
			}
		}
	}
	return out
}

// aggregateScan sums up the scanner's verdicts on every decrypted entry of
// arc, nested archives included: infected when any entry is (the first
// signature is named), not scanned when any entry was not, else clean.
// It returns nil when nothing was scanned.
func aggregateScan(arc *model.Archive) *model.ScanResult {
	var out *model.ScanResult
	var walk func(a *model.Archive)
	walk = func(a *model.Archive) {
		for i := range a.Entries {
			e := &a.Entries[i]
			if s := e.Scan; s != nil {
				switch {
				case out == nil:
					c := *s
					out = &c
				case s.Result == model.ScanInfected && out.Result != model.ScanInfected:
					c := *s
					out = &c
				case s.Result == model.ScanNotScanned && out.Result == model.ScanClean:
					c := *s
					out = &c
				}
			}
			if e.Archive != nil {
				walk(e.Archive)
			}
		}
	}
	walk(arc)
	return out
}
