package ppap

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"regexp"
	"slices"
	"strings"
	"time"

	"mxaudit/model"
)

// Ref is the little that pairing keeps of a message while the scan goes on:
// enough to decide whether it may carry the password of an earlier ZIP
// mail and to rank it.
type Ref struct {
	ID model.MessageID
	// MessageID is the Message-ID header and Thread the In-Reply-To and
	// References headers, as threadHash values: ranking only asks whether
	// a candidate's thread names the ZIP mail, and a Ref is kept for
	// every message of two windows.
	MessageID  uint64
	Thread     []uint64
	FromAddr   string   // lower-cased
	FromDomain string   // lower-cased
	Recipients []string // lower-cased addresses of To and Cc, sorted
	Date       time.Time
	Subject    string // folded for comparison: see foldSubject
	HasFiles   bool
	// PasswordSubject is set when the subject speaks of a password
	// ("【パスワード通知】", "PW", "Password for ...").
	PasswordSubject bool
	// Seq is the message's position in the listing.
	Seq int
	// Digest is the SHA-256 of the message's bytes (model.Message.SHA256
	// decoded), when the analysis read them all and a remembered pairing
	// may depend on it; zero otherwise. Held as its 32 bytes: the hex
	// string was a second object per Ref, kept for two windows.
	Digest [sha256.Size]byte

	// found are the password candidates of the message's text as the
	// analysis tells them (analysedCandidates): empty when its search
	// found none (model.Message.PasswordsInText, also in a cached result,
	// which keeps no text: see offerPin), those of the text it kept
	// (model.Message.PairingText), nil when not known. Pairing takes them
	// rather than read the message back. The candidates, not the text, are
	// kept: they are a few bytes where the text is kilobytes, held for two
	// windows. Set as the Stream takes the message, before the Ref is
	// indexed, and never changed, so pairings on other goroutines read it
	// without a lock.
	found []Found

	// pruned is set when the Stream's index has dropped the message (see
	// senderIndex.pruneStale); only the emitting goroutine reads it.
	pruned bool
}

// holdsNoPassword reports whether the message's text was read for
// pairing (found is known) and holds no password candidate: it can be no
// ZIP mail's password mail, so no pairing notes it (see offerPin).
func (r *Ref) holdsNoPassword() bool { return r.found != nil && len(r.found) == 0 }

// RefOf builds the index entry of m, listed at position seq.
func RefOf(m *model.Message, seq int) *Ref { return refOf(m, seq, nil, true) }

// refOf is RefOf sharing the strings that repeat across messages through
// in (senders, recipients, subjects of bulk mail), and leaving Digest
// out unless digest: only remembered pairings (Config.Results) read it.
// A Stream keeps a Ref for every message of two windows, so what one
// costs is what the index costs; its strings are owned (Interner.Owned),
// never cut from the message's, which may share one allocation (a
// cached head) that a Ref would keep alive.
func refOf(m *model.Message, seq int, in *model.Interner, digest bool) *Ref {
	subject := Normalize(m.Subject) // once, for both uses below
	r := &Ref{
		ID:         m.ID,
		MessageID:  threadHash(m.MessageID),
		FromAddr:   in.Owned(strings.ToLower(m.FromAddr)),
		FromDomain: in.Owned(strings.ToLower(m.FromDomain)),
		Date:       m.Date,
		Subject:    in.Owned(foldNormalized(subject)),
		HasFiles:   m.HasAttachments(),
		Seq:        seq,

		PasswordSubject: hasLabel(subject), // Mentions
	}
	if digest && len(m.SHA256) == 2*sha256.Size {
		if _, err := hex.Decode(r.Digest[:], []byte(m.SHA256)); err != nil {
			r.Digest = [sha256.Size]byte{}
		}
	}
	for _, id := range append([]string{m.InReplyTo}, m.References...) {
		if h := threadHash(id); h != 0 {
			r.Thread = append(r.Thread, h)
		}
	}
	for _, list := range [][]string{m.To, m.Cc} {
		for _, a := range list {
			if addr := bareAddress(a); addr != "" {
				r.Recipients = append(r.Recipients, in.Owned(addr))
			}
		}
	}
	slices.Sort(r.Recipients)
	r.Recipients = slices.Clip(slices.Compact(r.Recipients))
	return r
}

// threadSeed keys threadHash for this process, so that a sender cannot
// make two message IDs collide on purpose.
var threadSeed = maphash.MakeSeed()

// threadHash is a message ID's keyed 64-bit hash, 0 for none: two IDs
// that differ collide with probability 2⁻⁶⁴.
func threadHash(id string) uint64 {
	if id == "" {
		return 0
	}
	return max(1, maphash.String(threadSeed, id))
}

// bareAddress returns the lower-cased addr-spec of "Name <addr>" or "addr".
func bareAddress(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		s, _, _ = strings.Cut(s, ">")
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// subjectTags are the reply prefixes and bracketed tags mailers and
// senders add ("Re:", "Fwd:", "【パスワード通知】", "[External]").
var subjectTags = regexp.MustCompile(`(?i)^(?:\s*(?:re|fwd?|aw|sv|回答|返信|転送)\s*(?:\[\d+\])?\s*:\s*|\s*【[^】]*】\s*|\s*\[[^\]]*\]\s*)+`)

// foldSubject folds a subject for comparison: NFKC, lower case, reply
// prefixes and bracketed tags removed, spaces collapsed.
func foldSubject(s string) string { return foldNormalized(Normalize(s)) }

// foldNormalized is foldSubject of a text already folded by Normalize.
func foldNormalized(s string) string {
	s = strings.ToLower(s)
	if mayHaveSubjectTag(s) {
		s = subjectTags.ReplaceAllString(s, "")
	}
	return strings.Join(strings.Fields(s), " ")
}

// mayHaveSubjectTag reports whether subjectTags may match s: whether it
// begins, after the expression's white space (\s), as one of its
// alternatives does. The expression, run on every message's subject on
// the stream's one goroutine, was a fifth of what refOf costs. Its case
// folding (?i) matches, of the letters its alternatives begin with (r,
// f, a, s), their upper case and the long s (U+017F), which NFKC
// replaces with s before foldNormalized is called; the test takes it
// anyway, so as not to rest on that.
func mayHaveSubjectTag(s string) bool {
	s = strings.TrimLeft(s, "\t\n\f\r ")
	if s == "" {
		return false
	}
	if s[0] == '[' || strings.HasPrefix(s, "\u017f") {
		return true
	}
	switch s[0] | 0x20 {
	case 'r', 'f', 'a', 's':
		return true
	}
	for _, p := range []string{"【", "回答", "返信", "転送"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// sameSender is the gate for a candidate password mail: the same From
// address, or the same From domain and recipients within the ZIP mail's.
func sameSender(zip, c *Ref) bool {
	if zip.FromAddr != "" && zip.FromAddr == c.FromAddr {
		return true
	}
	if zip.FromDomain == "" || zip.FromDomain != c.FromDomain || len(c.Recipients) == 0 {
		return false
	}
	for _, r := range c.Recipients {
		if _, ok := slices.BinarySearch(zip.Recipients, r); !ok {
			return false
		}
	}
	return true
}

// zeroDateSpan is how many later listings may pair with a ZIP mail when
// either has no date at all.
const zeroDateSpan = 200

// inWindow reports whether c arrived after zip and within the window.
// Without dates, listing order stands in for time.
func inWindow(zip, c *Ref, window time.Duration) bool {
	if zip.Date.IsZero() || c.Date.IsZero() {
		return c.Seq > zip.Seq && c.Seq <= zip.Seq+zeroDateSpan
	}
	d := c.Date.Sub(zip.Date)
	return d >= 0 && d <= window
}

// IsCandidate reports whether c may carry the password of zip's archive.
func IsCandidate(zip, c *Ref, window time.Duration) bool {
	// The cheapest test first: a sender's list holds two windows of its
	// mail, half of it before zip, and the IDs of one folder compare
	// long prefixes (at 100,000 messages the ID test first was 0.4 s of
	// the pairing goroutine's 3.3 s).
	return inWindow(zip, c, window) && sameSender(zip, c) && c.ID != zip.ID
}

// score ranks a candidate mail: a reply to the ZIP mail first, then one
// about the same subject or the archive, one that speaks of a password,
// one without attachments, from the same address; ties go to the closest
// in time.
func score(zip, c *Ref, fileStems []string) int {
	s := 0
	if zip.MessageID != 0 && slices.Contains(c.Thread, zip.MessageID) {
		s += 100
	}
	if zip.Subject != "" && c.Subject != "" && (strings.Contains(c.Subject, zip.Subject) || strings.Contains(zip.Subject, c.Subject)) {
		s += 40
	}
	for _, stem := range fileStems {
		if stem != "" && strings.Contains(c.Subject, stem) {
			s += 40
			break
		}
	}
	if c.PasswordSubject {
		s += 30
	}
	if !c.HasFiles {
		s += 20
	}
	if zip.FromAddr != "" && c.FromAddr == zip.FromAddr {
		s += 10
	}
	return s
}

// rankCandidates orders the candidate mails for zip, best first.
func rankCandidates(zip *Ref, cands []*Ref, fileStems []string) []*Ref {
	type scored struct {
		r *Ref
		s int
	}
	list := make([]scored, len(cands))
	for i, c := range cands {
		list[i] = scored{c, score(zip, c, fileStems)}
	}
	slices.SortStableFunc(list, func(a, b scored) int {
		if a.s != b.s {
			return b.s - a.s
		}
		if c := a.r.Date.Compare(b.r.Date); c != 0 {
			return c
		}
		return a.r.Seq - b.r.Seq
	})
	out := make([]*Ref, len(list))
	for i, x := range list {
		out[i] = x.r
	}
	return out
}

// fileStems are the attachments' names without extension, folded, for
// matching subjects such as "【パスワード】請求書_202611.zip".
func fileStems(m *model.Message, idx []int) []string {
	var out []string
	for _, i := range idx {
		name := foldSubject(m.Attachments[i].Filename)
		if j := strings.LastIndexByte(name, '.'); j > 0 {
			name = name[:j]
		}
		if len([]rune(name)) >= 3 {
			out = append(out, name)
		}
	}
	return out
}

// mailPasswords are the candidates read from one mail.
type mailPasswords struct {
	id    model.MessageID
	found []Found
}

// rankAttempts merges the mails' candidates into the list of attempts:
// every strong and medium candidate of every mail in mail order first,
// then the weak ones, each password once (credited to the first mail that
// states it), at most max in all.
func rankAttempts(mails []mailPasswords, max int) []attempt {
	var out []attempt
	seen := map[string]bool{}
	for _, weak := range []bool{false, true} {
		for mi, m := range mails {
			for _, f := range m.found {
				if (f.Strength == Weak) != weak || seen[f.Password] {
					continue
				}
				if len(out) >= max {
					return out
				}
				seen[f.Password] = true
				out = append(out, attempt{password: f.Password, source: mi})
			}
		}
	}
	return out
}
