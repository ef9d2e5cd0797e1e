package model

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"time"
)

// Row is what the console's list needs of a message: what it shows, sorts
// and filters on, and what the counts over every message read (the
// statistics, the partner inventory, the report view's choice of mails,
// the exceptions a changed policy gives), in a small fixed-size struct
// and one string holding all of its text. A full Message costs about
// 1.9 KB in a table at 100,000 messages (model/intern.go's figures); the
// list needs a third of that, and the rest (reasons, DKIM and DMARC records, attachments and
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
	// text holds the row's strings end to end, and span where each one
	// is in it (rowField). One allocation and one pointer a row, where
	// a string a field cost thirteen pointers: the collector follows
	// every pointer of every row at each cycle, and the console's scan
	// of 100,000 messages runs about 270 cycles while its rows grow.
	// Short strings that repeat across rows (the domain, the client
	// address) are copied into each row's text rather than shared, a
	// pointer each saved: the console's live heap at the end of a scan
	// of 100,000 messages went from 87 to 84 MB all the same. The
	// recipient and domain lists, longer, are shared (lists).
	text string
	// span, fromAt and msgidAt are where the row's strings are in
	// text (rowPlaces), in 16 bits each; wide holds them instead when
	// the text is longer than that reaches (rowplaces.go).
	span    [numRowFields]narrowSpan
	fromAt  [3]narrowSpan
	msgidAt uint16
	wide    *rowPlaces
	// dateSec and dateNsec are Message.Date as Unix seconds and
	// nanoseconds (a date of any year: nanoseconds alone reach 1678 to
	// 2262 only); a zero date has zeroDateSec and the rowHasDate flag
	// unset, and compares as time.Time's zero does (compareDate).
	dateSec int64
	Size    int64
	// Exception is Message.Exception (shared with the message, which
	// never changes it after Policy.Annotate).
	Exception *ExceptionMatch
	// *RowVerdicts holds the verdict columns, shared by every row with
	// the same ones (a quarantine has a few dozen combinations).
	*RowVerdicts
	// lists are what the to: and domain: terms look in, shared too
	// (nil when both are empty).
	lists    *rowLists
	dateNsec int32
	flags    RowFlags
	// content is the sum of the message the row was made from, when
	// its maker knew it (RowBuilder.RowOf); see ContentSum.
	content ContentSum
}

// maxRowHay bounds a row's search text, so that its offsets (uint32:
// the spans, msgidAt, fromAt) never wrap into another field's place or
// past the text's end. A message's text stays far below it (a message is
// at most MaxMessageBytes, and lower-casing at most triples a string),
// but a row must not rely on a limit set elsewhere: a search text past
// it is cut, and the filter does not search the rest. A variable for
// tests.
var maxRowHay = 1 << 30

// rowOffset is an offset of the search text as a row keeps it, cut at
// maxRowHay.
func rowOffset(n int) uint32 { return uint32(min(n, maxRowHay)) }

// zeroDateSec is the Unix time of time.Time's zero.
var zeroDateSec = time.Time{}.Unix()

// maxRowUnix is the latest Unix time a time.Time holds (time.Unix wraps
// past it, to a date before year 1), so the latest a row's date may be:
// a row made from a message is never later, and one decoded that is
// (a damaged or forged row snapshot) is refused, not sorted as a date
// its prefix (datePrefix) and its comparison (compareDate) disagree on.
const maxRowUnix = math.MaxInt64 - 62135596800

// compareDate compares the dates of a and b as time.Time.Compare does.
func compareDate(a, b *Row) int {
	if c := cmp.Compare(a.dateSec, b.dateSec); c != 0 {
		return c
	}
	return cmp.Compare(a.dateNsec, b.dateNsec)
}

// textSpan is where a row's string is in its text: [start, end).
type textSpan struct{ start, end uint32 }

// rowField names the strings a row holds in its text.
type rowField uint8

const (
	// fieldHay is the filter's lower-cased search text (haystack) up to
	// msgidAt, then the lower-cased Message-ID; always first in text,
	// so that the other fields may point into it.
	fieldHay rowField = iota
	fieldID
	// fieldFrom is the sender as the list shows it
	// (Message.DisplayFrom).
	fieldFrom
	fieldSubject
	// fieldError is Message.Error: set when the message could not be
	// read.
	fieldError
	// fieldIP is the SPF client address, as the analysis recorded it.
	fieldIP
	// fieldFromAddr is Message.FromAddr as the message has it, not
	// lower-cased: an exception matches the sender on it (MatchRow),
	// and lower-casing can turn a character no address may hold into
	// one it may (the Kelvin sign into a "k").
	fieldFromAddr
	fieldDomain  // Message.FromDomain
	fieldPartner // PartnerDomain: the partner the inventory counts it under
	// fieldFromKey and fieldSubjectKey are the lower-cased From and
	// Subject the columns sort on.
	fieldFromKey
	fieldSubjectKey
	// fieldRisks is a packed list (packStrings) of every risk of every
	// attachment. (The recipients and domains are lists rows share:
	// rowLists.)
	fieldRisks
	numRowFields
)

// field returns the row's string f.
func (r *Row) field(f rowField) string {
	s := r.spanOf(f)
	return r.text[s.start:s.end]
}

// ID is the message's ID.
func (r *Row) ID() MessageID { return MessageID(r.field(fieldID)) }

// From is the sender as the list shows it (Message.DisplayFrom).
func (r *Row) From() string { return r.field(fieldFrom) }

// Subject is Message.Subject.
func (r *Row) Subject() string { return r.field(fieldSubject) }

// ReadError is Message.Error: set when the message could not be read.
// (Not Error, which would make a *Row an error.)
func (r *Row) ReadError() string { return r.field(fieldError) }

// IP is the SPF client address, as the analysis recorded it.
func (r *Row) IP() string { return r.field(fieldIP) }

// FromAddr is Message.FromAddr as the message has it, not lower-cased.
func (r *Row) FromAddr() string { return r.field(fieldFromAddr) }

// Domain is Message.FromDomain.
func (r *Row) Domain() string { return r.field(fieldDomain) }

// Partner is PartnerDomain: the partner the inventory counts the message
// under.
func (r *Row) Partner() string { return r.field(fieldPartner) }

// Date is Message.Date in UTC: the list shows it in local time and
// compares instants only, and a parsed zone is an allocation per
// message.
func (r *Row) Date() time.Time {
	if r.flags&rowHasDate == 0 {
		return time.Time{}
	}
	return time.Unix(r.dateSec, int64(r.dateNsec)).UTC()
}

// idOnly returns a row that keeps r's ID and verdict columns only: a
// removed message's, which gives back the rest of its text when the
// text is its own (a text in an arena's chunk goes with the chunk).
func (r *Row) idOnly() Row {
	id := strings.Clone(r.field(fieldID))
	c := Row{text: id, RowVerdicts: r.RowVerdicts, dateSec: zeroDateSec}
	var p rowPlaces
	p.span[fieldID] = textSpan{0, uint32(len(id))}
	c.setPlaces(&p)
	return c
}

func (r *Row) hay() string        { return r.field(fieldHay) }
func (r *Row) fromKey() string    { return r.field(fieldFromKey) }
func (r *Row) subjectKey() string { return r.field(fieldSubjectKey) }
func (r *Row) risks() string      { return r.field(fieldRisks) }

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
	// rowHasDate says the row's date is set (a zero Message.Date has
	// no Unix time).
	rowHasDate
)

// searchText is what free text searches: hay without the Message-ID.
func (r *Row) searchText() string { return r.hay()[:r.msgidStart()] }

// messageID is the lower-cased Message-ID.
func (r *Row) messageID() string { return r.hay()[r.msgidStart():] }

// Has reports whether every flag in f is set.
func (r *Row) Has(f RowFlags) bool { return r.flags&f == f }

// IsError reports whether the message or one of its parts could not be
// read (the filter's is:error).
func (r *Row) IsError() bool { return r.ReadError() != "" || r.Attachment == AttachmentError }

// NewRow returns m's row.
func NewRow(m *Message) Row { return newRow(m, nil, nil) }

// newRow returns m's row, its verdict columns shared through in (nil:
// not shared) and its text placed in arena (nil: an allocation of its
// own; see arenaFor).
func newRow(m *Message, in *interner, arena *textArena) Row {
	hay, at := haystackAt(m)
	msgidAt := rowOffset(len(hay))
	if m.MessageID != "" {
		hay += strings.ToLower(m.MessageID)
	}
	if len(hay) > maxRowHay {
		hay = hay[:maxRowHay] // see maxRowHay; msgidAt and at are within it
	}
	from := m.DisplayFrom()
	var ip string
	if m.Auth != nil {
		ip = m.Auth.SPF.IP
	}
	var w rowText
	w.start(hay)
	w.add(fieldID, string(m.ID), false)
	w.add(fieldFrom, from, true)
	w.add(fieldSubject, m.Subject, true)
	w.add(fieldError, m.Error, false)
	w.add(fieldIP, ip, false)
	w.add(fieldFromAddr, m.FromAddr, true)
	w.add(fieldDomain, m.FromDomain, true)
	w.add(fieldPartner, PartnerDomain(m), true)
	w.add(fieldFromKey, strings.ToLower(from), true)
	w.add(fieldSubjectKey, strings.ToLower(m.Subject), true)
	w.add(fieldRisks, packStrings(rowRisks(m)), false)
	r := Row{
		text:      w.finish(arena),
		Size:      m.Size,
		Exception: m.Exception,
		lists:     in.lists(packStrings(lowerAll(m.To, m.Cc)), packStrings(rowDomains(m))),
	}
	places := rowPlaces{span: w.span, msgidAt: msgidAt}
	for i, a := range at {
		places.fromAt[i] = textSpan{a[0], a[1]}
	}
	r.setPlaces(&places)
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
	r.flags = rowFlags(m, aligned)
	r.dateSec = zeroDateSec
	if !m.Date.IsZero() {
		r.dateSec, r.dateNsec = m.Date.Unix(), int32(m.Date.Nanosecond())
		r.flags |= rowHasDate
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

// rowDomains are the lower-cased domains the domain: term looks under,
// the empty ones left out (they never match), and a domain among the
// first few left out when it repeats (the From domain is usually the
// SPF and DKIM domain too: 20 bytes a row), which the term matches
// once all the same. Only the first few are looked at, so that a
// message with thousands of signatures costs time in their number.
func rowDomains(m *Message) []string {
	var ds []string
	add := func(d string) {
		if d == "" {
			return
		}
		d = strings.ToLower(d)
		if !slices.Contains(ds[:min(len(ds), 8)], d) {
			ds = append(ds, d)
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
