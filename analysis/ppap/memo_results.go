package ppap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"time"

	"mxaudit/model"
)

// Results remembers pairings between scans. *store.Cache implements it,
// so that reopening a quarantine does not read, derive keys, decrypt and
// scan again what it paired before.
type Results interface {
	Get(key string) (model.Message, bool)
	Put(key string, m model.Message) error
}

// A pairing's result depends on the ZIP mail's bytes, on the candidate
// mails in its window, their bytes and whether the analysis knows them
// to hold no password (which it then does not read: readable), and on
// the settings. resultKey names exactly that: the settings (salt), the
// ZIP mail's ID and digest, and every candidate's ID, digest and that
// knowledge in listing order. (Without the knowledge, a result paired
// when a chat mail was known to hold no password was taken where it was
// not known, and credited a mail the ZIP mail no longer pinned: the
// review of round 35.) A message that appears in or leaves the window,
// or changes, makes a new key; nothing else does. Without a digest for one of them (an IMAP summary, which
// never read the whole message) there is no key, and the pairing runs.
func resultKey(salt string, zip *model.Message, cands []*Ref) (string, bool) {
	if zip.SHA256 == "" {
		return "", false
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", salt, zip.ID, zip.SHA256)
	ordered := slices.Clone(cands)
	slices.SortFunc(ordered, func(a, b *Ref) int { return a.Seq - b.Seq })
	for _, c := range ordered {
		if c.Digest == ([sha256.Size]byte{}) {
			return "", false
		}
		io.WriteString(h, string(c.ID)+"\x00")
		h.Write(c.Digest[:])
		if c.holdsNoPassword() {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	return "ppap-" + hex.EncodeToString(h.Sum(nil)), true
}

// remembered reports whether a finished pairing may be kept: not when it
// was cut short (the budget, the timeout, a cancelled scan), when the
// message could not be read back as analysed (a read error may pass), or
// when the virus scanner could not be asked — the next scan may well do
// better.
func remembered(m *model.Message) bool {
	for _, i := range encryptedArchives(m) {
		a := m.Attachments[i].Archive
		if a.NotChecked == model.NotCheckedBudget || a.NotChecked == model.NotCheckedUnread || a.Truncated {
			return false
		}
		if a.Scan != nil && a.Scan.Result == model.ScanNotScanned {
			return false
		}
	}
	return true
}

// applyRemembered puts a remembered pairing's result on m — the archives
// and the verdict, which are all a pairing changes of the ZIP mail — and
// returns its links, as Pair would have.
func applyRemembered(m *model.Message, r model.Message) []Link {
	m.Attachments, m.Verdict = r.Attachments, r.Verdict
	var links []Link
	for _, i := range encryptedArchives(m) {
		a := m.Attachments[i].Archive
		if a.Decrypted && a.PasswordSource != "" {
			links = append(links, Link{PasswordMail: a.PasswordSource,
				PasswordLink: m.LinkTo(i)})
		}
	}
	return links
}

// pairRemembered is Pair through the remembered results: a pairing whose
// ZIP mail and candidates have not changed since it was remembered is not
// done again. ranked are the candidates of cands the pairing may read,
// in its order (readable), which the caller ranked once.
func (p *Pairer) pairRemembered(ctx context.Context, m *model.Message, self *Ref, cands, ranked []*Ref) []Link {
	if p.cfg.Results == nil {
		links, _ := p.pair(ctx, m, self, ranked)
		return links
	}
	key, ok := resultKey(p.cfg.ResultsSalt, m, cands)
	if !ok {
		p.forgot()
		links, _ := p.pair(ctx, m, self, ranked)
		return links
	}
	if r, hit := p.cfg.Results.Get(key); hit && r.ID == m.ID && len(r.Attachments) == len(m.Attachments) &&
		!creditsMailWithoutPassword(&r, cands) {
		return applyRemembered(m, r)
	}
	start := time.Now()
	links, readAll := p.pair(ctx, m, self, ranked)
	// A pairing that ran into its own timeout tried fewer mails than it
	// would have, and one that could not read a candidate mail (gone, or
	// out of file descriptors for a moment) may not have read the
	// password: not results to keep.
	kept := false
	if readAll && ctx.Err() == nil && time.Since(start) < p.cfg.Timeout && remembered(m) {
		kept = p.cfg.Results.Put(key, *m) == nil // a cache that cannot write only costs time
	}
	if !kept {
		p.forgot()
	}
	return links
}

// creditsMailWithoutPassword reports whether the remembered result r
// names as a password mail a candidate whose text the analysis searched
// and found no password in (Ref.holdsNoPassword: this scan's kept text,
// or the cached result's model.Message.PasswordsInText). A Stream does
// not hold such a mail for its note (offerPin), so the result is not
// taken: the pairing runs again. The same mails read alike never give
// one; a result remembered under other text limits, or by another
// version of the extraction, might.
func creditsMailWithoutPassword(r *model.Message, cands []*Ref) bool {
	for _, i := range encryptedArchives(r) {
		a := r.Attachments[i].Archive
		if !a.Decrypted || a.PasswordSource == "" {
			continue
		}
		for _, c := range cands {
			if c.holdsNoPassword() && c.ID == a.PasswordSource { // the flag first: the IDs share long prefixes
				return true
			}
		}
	}
	return false
}

// Forgetter is a Results that wants to know of every pairing done
// without its result being remembered (no key for it, a result not to
// keep, a cache that did not take it): whoever replays a whole scan's
// pairings (ui/app's scan snapshot) must not replay a scan that holds
// one, since the next scan would pair it afresh and may do better.
type Forgetter interface {
	Forgot()
}

// forgot tells the Results, when it listens, of a pairing not remembered.
func (p *Pairer) forgot() {
	if f, ok := p.cfg.Results.(Forgetter); ok {
		f.Forgot()
	}
}

// ReadsWhole reports whether a Stream decodes whole (model.Message.
// Materialize) a message written to it encoded as e (nil: not encoded):
// one that may hold an encrypted archive, which pairing reads and
// changes. A scan decodes such results in its workers for the Stream
// (scan.Options.DecodeWhole), off the one goroutine that writes them in
// listing order.
func ReadsWhole(e *model.Encoded) bool {
	return e != nil && e.MayHaveEncryptedArchive
}

// ChangedByPairing reports whether a message a Stream emitted may differ
// from the one it was given: pairing changes a message with an encrypted
// archive (or, still encoded, one that may hold such an archive) and
// notes a password mail (PasswordFor); it leaves every other message as
// it came.
func ChangedByPairing(m *model.Message) bool {
	if m.IsEncoded() {
		return m.Encoded.MayHaveEncryptedArchive
	}
	return NeedsPairing(m) || len(m.PasswordFor) > 0
}

// Inert reports whether pairing leaves m as it is and m changes no other
// message but by its place in the listing and its date: it needs no
// pairing, and without a sender (no From address or domain) it is never
// indexed as a candidate (senderIndex.add) nor given one. Its date still
// closes the windows of the ZIP mails waiting before it (waiting.closedBy;
// undated, its place does): whoever takes an inert message for the same
// at a later scan must check its date too (ui/app's snapshot does).
func Inert(m *model.Message) bool {
	return m.FromDomain == "" && m.FromAddr == "" && !ChangedByPairing(m)
}
