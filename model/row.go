package model

import (
	"encoding/binary"
	"strings"
	"time"
)

// Row is what the console's list needs of a message: what it shows, sorts
// and filters on, and what the counts over every message read (the
// statistics, the partner inventory, the report view's choice of mails,
// the exceptions a changed policy gives), in a small fixed-size struct
// whose repeated strings are
// shared (intern.go). A full Message costs about 1.9 KB in a table at
// 100,000 messages (model/intern.go's figures); the list needs a third
// of that, and the rest (reasons, DKIM and DMARC records, attachments and
// archive listings, recipients) is read back from where the message is
// kept when a view needs it.
//
// NewRow computes a row from a message. Every row-based decision agrees
// with the message-based one: Filter.MatchRow with Filter.Match, the
// row's sort with compareBy (row_test.go checks both, field by field),
// StatsCounter.AddRow with Add, ImpactCounter.AddRow with Add,
// Policy.AnnotateRow with Annotate (partners_row_test.go,
// policy_row_test.go). A Row is never changed once built; a new
// exception makes a new row (WithException).
type Row struct {
	ID MessageID
	// From is the sender as the list shows it (Message.DisplayFrom).
	From string
	// Domain is Message.FromDomain.
	Domain  string
	Subject string
	// Error is Message.Error: set when the message could not be read.
	Error string
	// Date is Message.Date without its location: the list shows it in
	// local time and compares instants only, and a parsed zone is an
	// allocation per message.
	Date time.Time
	Size int64
	// Exception is Message.Exception (shared with the message, which
	// never changes it after Policy.Annotate).
	Exception *ExceptionMatch
	// *RowVerdicts holds the verdict columns, shared by every row with
	// the same ones (a quarantine has a few dozen combinations).
	*RowVerdicts
	// IP is the SPF client address, as the analysis recorded it.
	IP string
	// FromAddr is Message.FromAddr as the message has it, not
	// lower-cased: an exception matches the sender on it (MatchRow),
	// and lower-casing can turn a character no address may hold into
	// one it may (the Kelvin sign into a "k").
	FromAddr string
	// Partner is PartnerDomain: the partner the inventory counts the
	// message under.
	Partner string

	// hay is the filter's lower-cased search text (haystack) up to
	// msgidAt, then the lower-cased Message-ID, which free text does
	// not search (one allocation for both).
	hay string
	// fromKey and subjectKey are the lower-cased From and Subject the
	// columns sort on; substrings of hay when it holds them.
	fromKey, subjectKey string
	// to, domains and risks are packed lists (packStrings) of the
	// lower-cased To and Cc, the lower-cased From, SPF and DKIM domains,
	// and every risk of every attachment.
	to, domains, risks string
	// fromAt are the bounds in hay of the lower-cased From, From
	// address and Return-Path (start, end; equal when empty).
	fromAt  [3][2]uint32
	msgidAt uint32 // where the Message-ID starts in hay
	flags   RowFlags
	ranks   rowRanks
}

// RowVerdicts are the verdicts a row shows. Rows share them: never
// change one.
type RowVerdicts struct {
	// The authentication columns: SPFResult, DKIMSummary's result,
	// DMARCResult.
	SPF, DKIM, DMARC Result
	Policy           Disposition
	// Disposition is what DMARC's evaluation applied (the statistics'
	// dispositions).
	Disposition Disposition
	// Attachment and Auth are the message's verdict.
	Attachment AttachmentVerdict
	Auth       AuthVerdict
	// Encryption is Message.Encryption.
	Encryption Encryption
}

// RowFlags are a row's yes/no facts.
type RowFlags uint32

// The row's flags.
const (
	RowEncrypted      RowFlags = 1 << iota // Message.IsEncrypted
	RowRisky                               // Message.IsRisky
	RowDMARCFail                           // Message.IsDMARCFail
	RowAuthTempError                       // Message.IsAuthTempError
	RowAnyTempError                        // the verdict or any result is temperror (auth:temperror)
	RowPPAPPair                            // Message.HasPPAPPair
	RowDKIMAligned                         // DKIMSummary's aligned
	RowHasAttachments                      // Message.HasAttachments
	RowDateDelivered                       // DateSource is DateDelivered
	RowNoAuth                              // analysed without authentication (Auth is nil)
	// The PPAP state of the encrypted archives (PPAPOf).
	RowPPAPDecrypted
	RowPPAPUnopened
	RowPPAPInfected
	RowPPAPRisky
	RowPPAPUnscanned
	// RequiredKinds beyond RowEncrypted (which is encrypted-archive's
	// rule): dmarc-fail and risky-type.
	RowNeedsDMARCFail
	RowNeedsRiskyType
	RowMayCarryReport // MayCarryReport: worth reading for a DMARC aggregate report
	RowPasswordFound  // an encrypted archive was opened with a password found in another mail
	RowDMARCTesting   // the DMARC record met says t=y
)

// searchText is what free text searches: hay without the Message-ID.
func (r *Row) searchText() string { return r.hay[:r.msgidAt] }

// messageID is the lower-cased Message-ID.
func (r *Row) messageID() string { return r.hay[r.msgidAt:] }

// Has reports whether every flag in f is set.
func (r *Row) Has(f RowFlags) bool { return r.flags&f == f }

// rowRanks are the ranks the verdict columns sort on.
type rowRanks struct {
	severity, att, spf, dkim, dmarc, policy, exc int8
}

// Severity is Message.Severity.
func (r *Row) Severity() int { return int(r.ranks.severity) }

// IsError reports whether the message or one of its parts could not be
// read (the filter's is:error).
func (r *Row) IsError() bool { return r.Error != "" || r.Attachment == AttachmentError }

// NewRow returns m's row, its strings not shared with any other row's.
func NewRow(m *Message) Row { return newRow(m, nil) }

// newRow returns m's row, its repeated strings interned in in (nil: none).
func newRow(m *Message, in *interner) Row {
	hay, at := haystackAt(m)
	msgidAt := uint32(len(hay))
	if m.MessageID != "" {
		hay += strings.ToLower(m.MessageID)
	}
	r := Row{
		ID:        m.ID,
		From:      m.DisplayFrom(),
		Domain:    in.str(m.FromDomain),
		Subject:   m.Subject,
		Error:     m.Error,
		Date:      m.Date.Round(0).UTC(),
		Size:      m.Size,
		Exception: m.Exception,
		hay:       hay,
		msgidAt:   msgidAt,
		fromAt:    at,
	}
	if m.Date.IsZero() {
		r.Date = time.Time{}
	}
	d, aligned := m.DKIMSummary()
	dm, p := m.DMARCResult()
	var disp Disposition
	if m.Auth != nil {
		disp = m.Auth.DMARC.Disposition
	}
	r.RowVerdicts = in.verdicts(RowVerdicts{
		SPF: m.SPFResult(), DKIM: d, DMARC: dm, Policy: p, Disposition: disp,
		Attachment: m.Verdict.Attachment, Auth: m.Verdict.Auth, Encryption: m.Encryption(),
	})
	r.fromKey = within(hay, strings.ToLower(r.From))
	r.subjectKey = within(hay, strings.ToLower(m.Subject))
	r.From = within(hay, r.From)
	r.Subject = within(hay, r.Subject)
	if m.Auth != nil {
		r.IP = in.str(m.Auth.SPF.IP)
	}
	// The address is in hay when written in lower case; else senders
	// repeat, and the interned copy is shared.
	if i := strings.Index(hay, m.FromAddr); i >= 0 && m.FromAddr != "" {
		r.FromAddr = hay[i : i+len(m.FromAddr)]
	} else {
		r.FromAddr = in.str(m.FromAddr)
	}
	r.Partner = in.str(PartnerDomain(m))
	r.to = in.str(packStrings(lowerAll(m.To, m.Cc)))
	r.domains = in.str(packStrings(rowDomains(m)))
	r.risks = in.str(packStrings(rowRisks(m)))
	r.flags = rowFlags(m, aligned)
	r.ranks = rowRanks{
		severity: int8(m.Severity()),
		att:      int8(m.Verdict.Attachment.Rank()),
		spf:      int8(authRank(m.SPFResult())),
		dkim:     int8(authRank(d) * 2),
		dmarc:    int8(authRank(dm)),
		policy:   int8(policyRank(p)),
		exc:      int8(m.exceptionRank()),
	}
	if !aligned && d != "" {
		r.ranks.dkim++
	}
	return r
}

// rowFlags computes the flags of m's row.
func rowFlags(m *Message, dkimAligned bool) RowFlags {
	var f RowFlags
	set := func(on bool, bit RowFlags) {
		if on {
			f |= bit
		}
	}
	set(m.IsEncrypted(), RowEncrypted)
	set(m.IsRisky(), RowRisky)
	set(m.IsDMARCFail(), RowDMARCFail)
	set(m.IsAuthTempError(), RowAuthTempError)
	set(matchAuth(m, "temperror"), RowAnyTempError)
	set(m.HasPPAPPair(), RowPPAPPair)
	set(dkimAligned, RowDKIMAligned)
	set(m.HasAttachments(), RowHasAttachments)
	set(m.DateSource == DateDelivered, RowDateDelivered)
	set(m.Auth == nil, RowNoAuth)
	set(needsDMARCException(m), RowNeedsDMARCFail)
	set(needsRiskyException(m), RowNeedsRiskyType)
	set(MayCarryReport(m), RowMayCarryReport)
	set(passwordFound(m), RowPasswordFound)
	set(m.Auth != nil && m.Auth.DMARC.Testing, RowDMARCTesting)
	p := PPAPOf(m)
	set(p.Decrypted, RowPPAPDecrypted)
	set(p.Unopened, RowPPAPUnopened)
	set(p.Infected, RowPPAPInfected)
	set(p.Risky, RowPPAPRisky)
	set(p.Unscanned, RowPPAPUnscanned)
	return f
}

// PPAP returns the PPAP state of the row's encrypted archives.
func (r *Row) PPAP() PPAPState {
	return PPAPState{
		Decrypted: r.Has(RowPPAPDecrypted),
		Unopened:  r.Has(RowPPAPUnopened),
		Infected:  r.Has(RowPPAPInfected),
		Risky:     r.Has(RowPPAPRisky),
		Unscanned: r.Has(RowPPAPUnscanned),
	}
}

// within returns s, as the same bytes of hay when hay holds it, so that
// a row keeps one copy of text the search text already has.
func within(hay, s string) string {
	if s == "" {
		return ""
	}
	if i := strings.Index(hay, s); i >= 0 {
		return hay[i : i+len(s)]
	}
	return s
}

// rowDomains are the lower-cased domains the domain: term looks under,
// the empty ones left out (they never match).
func rowDomains(m *Message) []string {
	var ds []string
	add := func(d string) {
		if d != "" {
			ds = append(ds, strings.ToLower(d))
		}
	}
	add(m.FromDomain)
	if m.Auth != nil {
		add(m.Auth.SPF.Domain)
		for _, d := range m.Auth.DKIM {
			add(d.Domain)
		}
	}
	return ds
}

// rowRisks are the risks the risk: term searches: every attachment's
// own and those inside its archive, repeats included.
func rowRisks(m *Message) []string {
	var rs []string
	for i := range m.Attachments {
		a := &m.Attachments[i]
		for _, r := range a.Risks {
			rs = append(rs, string(r))
		}
		if a.Archive != nil {
			for _, r := range a.Archive.AllRisks() {
				rs = append(rs, string(r))
			}
		}
	}
	return rs
}

// lowerAll returns the lower-cased non-empty strings of the lists.
func lowerAll(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if s != "" {
				out = append(out, strings.ToLower(s))
			}
		}
	}
	return out
}

// packStrings packs ss into one string, each element preceded by its
// length as a uvarint, so that any bytes (a NUL included) can be held
// and every element is matched on its own (anyPacked).
func packStrings(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	n := 0
	for _, s := range ss {
		n += binary.MaxVarintLen64 + len(s)
	}
	b := make([]byte, 0, n)
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return string(b)
}

// anyPacked reports whether fn holds for an element of the packed list p.
func anyPacked(p string, fn func(string) bool) bool {
	for len(p) > 0 {
		n, w := uvarint(p)
		if w <= 0 || n > uint64(len(p)-w) {
			return false // never happens: packStrings wrote p
		}
		if fn(p[w : w+int(n)]) {
			return true
		}
		p = p[w+int(n):]
	}
	return false
}

// uvarint is binary.Uvarint on a string, without a copy.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
