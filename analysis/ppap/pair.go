package ppap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"mxaudit/analysis"
	"mxaudit/model"
)

// Pairer opens the encrypted archives of one source's messages with
// passwords read from the source's other messages. It is safe for
// concurrent use.
type Pairer struct {
	cfg   Config
	open  Opener
	found *foundMemo // candidate mails' passwords, read once per scan
}

// NewPairer returns a Pairer reading messages through open.
func NewPairer(cfg Config, open Opener) *Pairer {
	return &Pairer{cfg: cfg.withDefaults(), open: open, found: newFoundMemo(foundMemoSize)}
}

// Link says that the message PasswordMail held the password of one
// archive: the note its summary gets.
type Link struct {
	PasswordMail model.MessageID
	model.PasswordLink
}

// Pair tries to open every encrypted archive of m with the passwords found
// in m itself and in the candidate mails cands (index entries of later
// mails from the same sender; they are filtered and ranked here). It
// records the results in m's archives, updates m's verdict, and returns
// one Link per archive opened. It never fails: an archive that cannot be
// opened stays encrypted, with the number of passwords tried.
func (p *Pairer) Pair(ctx context.Context, m *model.Message, self *Ref, cands []*Ref) []Link {
	links, _ := p.pair(ctx, m, self, p.readable(self, cands, fileStems(m, encryptedArchives(m))))
	return links
}

// pair is Pair over the candidates readable ranked, and reports whether
// it read every candidate mail it tried to read: a result that misses
// one is not remembered.
func (p *Pairer) pair(ctx context.Context, m *model.Message, self *Ref, ranked []*Ref) (links []Link, readAll bool) {
	idx := encryptedArchives(m)
	if len(idx) == 0 {
		return nil, true
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()

	want := map[int]bool{}
	for _, i := range idx {
		want[i] = true
	}
	zipMail, err := readMail(ctx, &p.cfg, p.open, m.ID, self.found == nil, want)
	if err != nil || (m.SHA256 != "" && zipMail.SHA256 != m.SHA256) {
		// Unreadable, or not the message analysed (replaced since):
		// its archives stay encrypted.
		for _, i := range idx {
			m.Attachments[i].Archive.NotChecked = model.NotCheckedUnread
		}
		ApplyVerdict(m)
		return nil, true // NotCheckedUnread: not remembered either
	}
	for _, i := range idx {
		arc := m.Attachments[i].Archive
		if !analysedBytes(arc.SHA256, zipMail.Attachments[i]) {
			// Not the bytes the archive was listed from: a message
			// analysed from a summary (no message digest) whose parts
			// another parser numbers differently, a replaced file, or
			// an attachment not read. Without a digest (bytes past the
			// inspection limit) nothing was ever to be decrypted.
			delete(zipMail.Attachments, i)
			arc.NotChecked = model.NotCheckedUnread
			if arc.SHA256 == "" {
				arc.NotChecked = model.NotCheckedPastLimit
			}
		}
	}

	// Candidate mails are read best first, and each one's strong and
	// medium passwords tried at once: the first is usually the password
	// mail, and on IMAP every mail read is a fetch. Only when some archive
	// is still shut are the ZIP mail's own text and the weak candidates of
	// all mails tried.
	pr := pairing{p: p, m: m, zipMail: zipMail, idx: idx, opened: map[int]model.MessageID{}, tried: map[int]map[string]bool{},
		work: newBudget(&p.cfg)}
	readAll = true
	// At most MaxCandidateMails of ranked are read, as many as the ZIP
	// mail pins (offerPin): ranked holds no mail known to hold no
	// password, and one whose passwords were not known and that turns
	// out to hold none still counts, as among the pins. Read past it,
	// the pairing credited a mail ranked below the pins, which was not
	// held for its note (the security review).
	read := 0 // the mails of ranked gone through
	for _, c := range ranked {
		if ctx.Err() != nil || pr.allOpen() || read == p.cfg.MaxCandidateMails {
			break
		}
		read++
		found, err := p.found.candidates(ctx, &p.cfg, p.open, c)
		if err != nil {
			readAll = false // the others may still open it
			continue
		}
		if len(found) == 0 {
			continue // no password: nothing to try, and not one of those with passwords read
		}
		pr.mails = append(pr.mails, mailPasswords{id: c.ID, found: found})
		pr.try(ctx, false)
	}
	for _, i := range idx {
		if _, tried := zipMail.Attachments[i]; tried {
			m.Attachments[i].Archive.MailsRead = read
		}
	}
	// The ZIP mail's own subject and body come after the other mails:
	// "the password follows separately" is what they usually say.
	own := self.found
	if own == nil {
		own = mailCandidates(zipMail.Subject, zipMail.Text, p.cfg.MaxAttempts)
	}
	pr.mails = append(pr.mails, mailPasswords{id: m.ID, found: own})
	if !pr.allOpen() {
		pr.try(ctx, true)
	}
	for _, i := range idx {
		if src, ok := pr.opened[i]; ok {
			links = append(links, Link{PasswordMail: src, PasswordLink: m.LinkTo(i)})
		}
	}
	ApplyVerdict(m)
	return links, readAll
}

// readable returns the candidate mails a pairing of the ZIP mail self,
// whose archives' file stems are stems, may read, best first: the
// candidates of cands (IsCandidate) in rankCandidates' order, but for
// those the analysis found no password in, which give none. It reads
// them in that order until every archive is open or MaxCandidateMails
// of them were read (Archive.MailsRead counts those), and its outcome
// depends on no other message (readBy): taking one of those out of the
// listing changes nothing.
//
// Counted among the mails read, the mails without a password took the
// place of those with one: a partner's chat filled the eight a ZIP mail
// reads, and its password mail, ranked ninth, was never read. A mail
// whose passwords the analysis did not know still counts, whatever
// reading it finds: the ZIP mail pins as many (offerPin), so that the
// mail it credits is held for its note.
func (p *Pairer) readable(self *Ref, cands []*Ref, stems []string) []*Ref {
	var ranked []*Ref
	for _, c := range cands {
		if !c.holdsNoPassword() && IsCandidate(self, c, p.cfg.Window) {
			ranked = append(ranked, c)
		}
	}
	return rankCandidates(self, ranked, stems)
}

// pairing is the state of one Pair call: the mails read so far and, per
// encrypted archive, whether it is open and which passwords were tried.
type pairing struct {
	p       *Pairer
	m       *model.Message
	zipMail *analysis.ReadBack
	idx     []int
	mails   []mailPasswords
	opened  map[int]model.MessageID // archive → mail that held its password
	tried   map[int]map[string]bool // archive → passwords tried
	work    *budget                 // the message's work budget
}

func (pr *pairing) allOpen() bool { return len(pr.opened) == len(pr.idx) }

// try tries, on every archive still shut, the passwords of the mails read
// so far that it has not tried yet: the strong and medium ones, and with
// weak the weak ones too, within the per-archive attempt cap.
func (pr *pairing) try(ctx context.Context, weak bool) {
	all := rankAttempts(pr.mails, pr.p.cfg.MaxAttempts)
	for _, i := range pr.idx {
		if _, ok := pr.opened[i]; ok {
			continue
		}
		data, ok := pr.zipMail.Attachments[i]
		if !ok {
			continue // unread, or not the bytes analysed: left encrypted
		}
		if pr.tried[i] == nil {
			pr.tried[i] = map[string]bool{}
		}
		att := &pr.m.Attachments[i]
		var fresh []attempt
		for _, a := range all {
			if !pr.tried[i][a.password] && (weak || pr.strength(a) != Weak) &&
				len(pr.tried[i])+len(fresh) < pr.p.cfg.MaxAttempts {
				fresh = append(fresh, a)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		before := att.Archive.PasswordAttempts
		att.Archive.PasswordAttempts = 0 // openArchive sets this call's count
		src, ok := pr.p.openArchive(ctx, att, data, fresh, pr.mails, pr.work)
		n := min(att.Archive.PasswordAttempts, len(fresh))
		att.Archive.PasswordAttempts = before + n
		for _, a := range fresh[:n] {
			pr.tried[i][a.password] = true
		}
		if ok {
			pr.opened[i] = src
		}
	}
}

// strength is the strength with which a's mail states its password.
func (pr *pairing) strength(a attempt) Strength {
	for _, f := range pr.mails[a.source].found {
		if f.Password == a.password {
			return f.Strength
		}
	}
	return Weak
}

// analysedBytes reports whether data are the bytes of digest sum, an
// archive's model.Archive.SHA256 (or a link's copy of it): the bytes it
// was listed from. Never for an archive without a digest.
func analysedBytes(sum string, data []byte) bool {
	if sum == "" {
		return false
	}
	got := sha256.Sum256(data)
	return hex.EncodeToString(got[:]) == sum
}

// mailCandidates reads the passwords of one mail: subject first, then body,
// at most 2×attempts of the stated ones (strong and medium) and as many
// weak ones, in that order. It never returns nil, so that a Ref's found
// says "read, none found".
//
// A pairing tries at most attempts passwords an archive (MaxAttempts),
// the stated ones of every mail before the weak ones, each once: a mail's
// k-th password of a kind comes after k-1 others, each tried or tried
// already from an earlier mail, so that none past attempts of a kind is
// ever tried (a review checked it on 20,000 random cases); twice that
// are kept. Unbounded, a mail of many "key: value" lines held as much in
// its candidates as in its text, kept in a Ref for two windows (12,000
// candidates from 256 KiB, a review found). The bounded ones are copied
// out: a slice of the whole list would keep it, and the text its
// passwords point into, alive.
func mailCandidates(subject, text string, attempts int) []Found {
	found := Extract(subject)
	seen := map[string]bool{}
	for _, f := range found {
		seen[f.Password] = true
	}
	for _, f := range Extract(text) {
		if !seen[f.Password] {
			seen[f.Password] = true
			found = append(found, f)
		}
	}
	if found == nil {
		return []Found{}
	}
	keep := 2 * max(attempts, 1)
	if len(found) <= keep {
		return found
	}
	var out []Found
	stated, weak := 0, 0
	for _, f := range found {
		n := &stated
		if f.Strength == Weak {
			n = &weak
		}
		if *n < keep {
			*n++
			out = append(out, f)
		}
	}
	return slices.Clip(out)
}

// openArchive tries the attempts on one attachment and, on success,
// decrypts and inspects it. It returns the message that held the password.
func (p *Pairer) openArchive(ctx context.Context, att *model.Attachment, data []byte, attempts []attempt, mails []mailPasswords, work *budget) (model.MessageID, bool) {
	arc := att.Archive
	z, err := openZip(data)
	if err != nil {
		return "", false
	}
	win, tried, err := z.findPassword(attempts, p.cfg.MaxEntryBytes, func() bool { return ctx.Err() != nil || !work.spend() })
	arc.PasswordAttempts = tried
	if work.exhausted() && win < 0 {
		arc.NotChecked = model.NotCheckedBudget
	}
	if err != nil || win < 0 {
		return "", false
	}
	src := mails[attempts[win].source].id
	arc.Decrypted = true
	arc.PasswordSource = src
	o := &opening{ctx: ctx, cfg: &p.cfg, budget: p.cfg.Archive.MaxTotalDecompressed, attempts: attempts,
		triesLeft: max(0, p.cfg.MaxAttempts-tried), work: work}
	o.decryptInto(z, arc, attempts[win].password, 0)
	arc.Scan = aggregateScan(arc)
	if p.cfg.Scanner != nil && arc.Scan == nil {
		arc.Scan = &model.ScanResult{Engine: p.cfg.scannerName(), Result: model.ScanNotScanned, Error: "no entry could be decrypted"}
	}
	return src, true
}

// ErrNoPassword is returned by Password when the source message holds no
// password that opens the archive (any longer).
var ErrNoPassword = errors.New("no password in that message opens the archive")

// ErrNotAsPaired is returned by Password when the archive's bytes are no
// longer those pairing decrypted (PasswordLink.SHA256).
var ErrNotAsPaired = errors.New("the archive is not the one pairing opened (the message changed since, or was read otherwise)")

// Password re-derives, on an operator's explicit request, the password
// that opens the archive link names (attachment link.Attachment of
// message link.Message): it reads the password mail sourceID
// (model.Archive.PasswordSource) again, extracts its candidates, and
// returns the first that opens the archive. It tries only the bytes
// pairing decrypted (link.SHA256): the password an operator passes on
// opens the archive whose verdict they read. Nothing is cached; the
// caller must not store or log the result.
func Password(ctx context.Context, cfg Config, open Opener, link model.PasswordLink, sourceID model.MessageID) (string, error) {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	zipID, attachment := link.Message, link.Attachment
	zipMail, err := readMail(ctx, &cfg, open, zipID, false, map[int]bool{attachment: true})
	if err != nil {
		return "", err
	}
	data, ok := zipMail.Attachments[attachment]
	if !ok {
		return "", fmt.Errorf("message %s has no attachment %d that can be read", zipID, attachment)
	}
	if !analysedBytes(link.SHA256, data) {
		return "", ErrNotAsPaired
	}
	found, err := readCandidates(ctx, &cfg, open, sourceID)
	if err != nil {
		return "", err
	}
	mails := []mailPasswords{{id: sourceID, found: found}}
	attempts := rankAttempts(mails, cfg.MaxAttempts)
	z, err := openZip(data)
	if err != nil {
		return "", err
	}
	win, _, err := z.findPassword(attempts, cfg.MaxEntryBytes, func() bool { return ctx.Err() != nil })
	if err != nil {
		return "", err
	}
	if win < 0 {
		return "", ErrNoPassword
	}
	return attempts[win].password, nil
}

// readBy returns the candidate mails of readable (best first) whose
// passwords the pairing of m read, or whose reading told it they hold
// none: the first Archive.MailsRead of them (the most any archive
// records). A remembered result counts them in the same ranking: its
// key names each candidate and whether it is known to hold no password
// (resultKey), which is all the ranking depends on besides the ZIP mail.
func (p *Pairer) readBy(m *model.Message, readable []*Ref) []*Ref {
	n := 0
	for _, i := range encryptedArchives(m) {
		n = max(n, m.Attachments[i].Archive.MailsRead)
	}
	return readable[:min(n, len(readable))]
}
