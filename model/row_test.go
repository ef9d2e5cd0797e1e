package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// rowMessages are random messages in which every field a row keeps
// varies, with the values the filter terms look for: upper case,
// multi-byte text, a NUL inside a field, IPv4, IPv6 and mapped
// addresses, nested archives with risks, PPAP states and exceptions.
func rowMessages(r *rand.Rand, n int) []Message {
	pick := func(ss ...string) string { return ss[r.IntN(len(ss))] }
	out := randomMessages(r, n)
	for i := range out {
		m := &out[i]
		m.FromAddr = pick("", "a@x.example", "ALERT@Bank.Example", "tanaka@corp.example.jp")
		m.ReturnPath = pick("", m.FromAddr, "bounce@mailer.example", "Bounce@Relay.Example")
		if r.IntN(5) == 0 {
			m.From = pick("Evil\x00Name <e@x.example>", "<bare@x.example>", `"" <q@x.example>`, "  Spaced  ")
		}
		m.FromDomain = pick(m.FromDomain, "Corp.Example.JP", "bank.example")
		m.MessageID = pick("", "<ABC@corp.example.jp>", "<x1@bank.example>", fmt.Sprintf("<%d@m.example>", i))
		m.To = []string{pick("ops@example.com", "Audit@Example.com", "")}
		if r.IntN(3) == 0 {
			m.Cc = []string{pick("cc@other.example", "部長@example.jp")}
		}
		if r.IntN(4) == 0 {
			m.Subject = strings.ToUpper(m.Subject) + " MiXeD"
		}
		if r.IntN(10) == 0 {
			m.Error = pick("cannot read", "TRUNCATED header")
		}
		if r.IntN(6) == 0 {
			m.DateSource = DateDelivered
		}
		if m.Auth != nil {
			m.Auth.SPF.IP = pick("", "203.0.113.7", "198.51.100.9", "2001:DB8::1", "::ffff:203.0.113.9", "not-an-ip")
			m.Auth.SPF.Domain = pick("", "mailer.example", "Sub.Corp.Example.JP")
			for j := range m.Auth.DKIM {
				m.Auth.DKIM[j].Aligned = r.IntN(2) == 0
			}
			if r.IntN(3) == 0 {
				m.Auth.DKIM = append(m.Auth.DKIM, DKIMResult{Result: ResultTempError, Domain: "signer.example", Aligned: true})
			}
		}
		m.Verdict.Auth = []AuthVerdict{"", AuthPass, AuthFail, AuthNone, AuthTempError}[r.IntN(5)]
		m.Attachments = rowAttachments(r, pick)
		switch r.IntN(4) {
		case 0:
			m.Exception = &ExceptionMatch{ID: 1 + r.IntN(3)}
		case 1:
			m.Exception = &ExceptionMatch{ID: 7, Missing: []ExceptionKind{"dmarc-fail"}}
		}
	}
	return out
}

// rowAttachments are 0-2 attachments: plain files with risks, archives
// encrypted or not, decrypted by PPAP or not, scanned or not, nested.
func rowAttachments(r *rand.Rand, pick func(...string) string) []Attachment {
	var as []Attachment
	for range r.IntN(3) {
		a := Attachment{Filename: pick("", "Invoice.PDF", "請求書.zip", "a.exe")}
		if r.IntN(3) == 0 {
			a.Risks = []Risk{Risk(pick(string(RiskExecutable), string(RiskDoubleExtension)))}
		}
		if r.IntN(2) == 0 {
			enc := Encryption(pick("", "zipcrypto", "aes256", "pkware-strong", "aes128", "AES192"))
			arc := &Archive{Format: "zip", Encrypted: enc != "" && r.IntN(4) > 0,
				Entries: []Entry{{Name: pick("doc.xlsm", "Setup.EXE"), Encrypted: enc != "" || r.IntN(5) == 0, Encryption: enc}}}
			if arc.Encrypted {
				arc.Encryption = enc
			}
			if r.IntN(3) == 0 {
				arc.Entries[0].Risks = []Risk{RiskMacro}
			}
			if r.IntN(4) == 0 {
				arc.Entries = append(arc.Entries, Entry{Name: "inner.zip", Archive: &Archive{Format: "zip",
					Entries: []Entry{{Name: "deep.js", Risks: []Risk{RiskExecutable}}}}})
			}
			if arc.Encrypted && r.IntN(2) == 0 {
				arc.Decrypted = true
				arc.PasswordSource = MessageID(pick("", "pw1"))
				switch r.IntN(3) {
				case 0:
					arc.Scan = &ScanResult{Result: ScanInfected}
				case 1:
					arc.Scan = &ScanResult{Result: ScanNotScanned}
				}
			}
			a.Archive = arc
		}
		as = append(as, a)
	}
	return as
}

// rowFilters are filters that use every quick filter and every term of
// the language, with values that match some messages and not others.
func rowFilters() []Filter {
	texts := []string{"", "invoice", "鈴木", "x.example", "\x00", "evil", "a.exe", "deep.js", "bounce", "@bank.example",
		"from:alice", "from:bounce", "from:alert@bank", "from:", "from:evil\x00name",
		"to:ops", "to:audit", "to:部長", "to:", "cc@other",
		"subject:invoice", "subject:mixed", "subject:", "msgid:abc", "msgid:1@m", "msgid:",
		"ip:203.0.", "ip:2001:db8", "ip:203.0.113.0/24", "ip:2001:db8::/32", "ip:", "ip:not",
		"domain:example", "domain:corp.example.jp", "domain:example.jp", "domain:signer.example", "domain:",
		"date:2026-11-01", "date:2026-11-01..", "date:..2026-10-31", "date:1990-01-01..2030-01-01",
		"auth:pass", "auth:fail", "auth:none", "auth:temperror",
		"enc:zipcrypto", "enc:aes", "enc:aes128", "enc:any", "enc:pkware", "enc:unknown",
		"risk:exe", "risk:macro", "risk:double", "risk:",
		"is:error", "is:unreadable", "is:encrypted", "is:risky", "is:excepted", "is:ppap", "is:marked",
		"-is:risky invoice", "-from:alice -auth:fail", "Subject:INVOICE", "is:nothing",
	}
	var fs []Filter
	for _, t := range texts {
		fs = append(fs, Filter{Text: t})
	}
	fs = append(fs,
		Filter{EncryptedOnly: true}, Filter{DMARCFailOnly: true}, Filter{TempErrorOnly: true},
		Filter{RiskyOnly: true}, Filter{NoException: true}, Filter{ErrorOnly: true}, Filter{TempErrOnly: true},
		Filter{Source: &SourceFilter{IP: "203.0.113.7"}},
		Filter{Source: &SourceFilter{IP: "203.0.113.9"}},
		Filter{Source: &SourceFilter{FromDomains: []string{"corp.example.jp"}}},
		Filter{Text: "from:a", RiskyOnly: true, NoException: true},
	)
	return fs
}

// TestRowFilterMatchesMessageFilter checks that filtering on rows selects
// exactly the messages that filtering on the messages selects, for every
// quick filter and every term, and that each filter both keeps and drops
// some messages (so a row field left empty or wrong shows up).
func TestRowFilterMatchesMessageFilter(t *testing.T) {
	msgs := append(rowMessages(rand.New(rand.NewPCG(18, 7)), 1500), queryMessages()...)
	rows := make([]Row, len(msgs))
	for i := range msgs {
		rows[i] = NewRow(&msgs[i])
	}
	marked := func(id MessageID) bool { return strings.HasSuffix(string(id), "7") }
	for _, f := range rowFilters() {
		q := (*Query)(nil)
		if IsQuery(f.Text) {
			parsed, err := ParseQuery(f.Text)
			if err != nil {
				t.Fatalf("%q: %v", f.Text, err)
			}
			parsed.Marked = marked
			q = &parsed
		}
		text := strings.ToLower(f.Text)
		kept := 0
		for i := range msgs {
			want := f.match(&msgs[i], haystack(&msgs[i]), text, q)
			if got := f.MatchRow(&rows[i], text, q); got != want {
				t.Errorf("filter %q %+v, message %s: row says %v, message says %v", f.Text, f, msgs[i].ID, got, want)
			}
			if want {
				kept++
			}
		}
		if !matchesNoneOrAll[f.Text] && (kept == 0 || kept == len(msgs)) && !f.IsZero() {
			t.Errorf("filter %q %+v keeps %d of %d: the test data cannot tell a wrong row", f.Text, f, kept, len(msgs))
		}
	}
}

// matchesNoneOrAll are the filters that keep nothing or everything
// whatever the messages: the search text never holds Cc, every search
// text holds a NUL, and no domain ends in a dot.
var matchesNoneOrAll = map[string]bool{"is:nothing": true, "\x00": true, "cc@other": true, "domain:": true}

// TestRowSortMatchesMessageSort checks that CompareRows orders every pair
// of rows as compareBy orders their messages, in every column, and that
// the rows' 64-bit prefixes never contradict it.
func TestRowSortMatchesMessageSort(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(18, 8)), 300)
	rows := make([]Row, len(msgs))
	keys := make([]sortKeys, len(msgs))
	for i := range msgs {
		rows[i] = NewRow(&msgs[i])
		keys[i] = newSortKeys(&msgs[i])
	}
	for c := range NumColumns {
		distinct := map[int]bool{}
		for i := range msgs {
			for j := range msgs {
				want := compareBy(c, &msgs[i], &msgs[j], &keys[i], &keys[j])
				got := CompareRows(c, &rows[i], &rows[j])
				distinct[want] = true
				if sign(got) != sign(want) {
					t.Fatalf("column %v, %s vs %s: rows compare %d, messages %d", c, msgs[i].ID, msgs[j].ID, got, want)
				}
				pi, pj := rowPrefix(c, &rows[i]), rowPrefix(c, &rows[j])
				if (want < 0 && pi > pj) || (want == 0 && pi != pj && prefixExact(c, pi)) {
					t.Fatalf("column %v, %s vs %s: prefixes %x, %x contradict %d", c, msgs[i].ID, msgs[j].ID, pi, pj, want)
				}
			}
		}
		if len(distinct) < 3 {
			t.Errorf("column %v: the test data never orders two messages", c)
		}
	}
}

func sign(c int) int { return min(max(c, -1), 1) }

// TestRowShowsWhatTheMessageSays checks the fields the list draws.
func TestRowShowsWhatTheMessageSays(t *testing.T) {
	r9 := rand.New(rand.NewPCG(18, 9))
	msgs := slices.Concat(rowMessages(r9, 800), senderMessages(r9, 800), queryMessages())
	for i := range msgs {
		m := &msgs[i]
		r := NewRow(m)
		d, aligned := m.DKIMSummary()
		dm, p := m.DMARCResult()
		checks := []struct {
			what      string
			got, want any
		}{
			{"ID", r.ID(), m.ID},
			{"From", r.From(), m.DisplayFrom()},
			{"Domain", r.Domain(), m.FromDomain},
			{"Subject", r.Subject(), m.Subject},
			{"Error", r.ReadError(), m.Error},
			{"Date", r.Date().Equal(m.Date) && r.Date().IsZero() == m.Date.IsZero(), true},
			{"Size", r.Size, m.Size},
			{"Exception", r.Exception, m.Exception},
			{"SPF", r.SPF, m.SPFResult()},
			{"DKIM", r.DKIM, d},
			{"DKIM aligned", r.Has(RowDKIMAligned), aligned},
			{"DMARC", r.DMARC, dm},
			{"Policy", r.Policy, p},
			{"Attachment", r.Attachment, m.Verdict.Attachment},
			{"Auth", r.Auth, m.Verdict.Auth},
			{"Encryption", r.Encryption, m.Encryption()},
			{"HasAttachments", r.Has(RowHasAttachments), m.HasAttachments()},
			{"Delivered", r.Has(RowDateDelivered), m.DateSource == DateDelivered},
			{"Severity", r.Severity(), m.Severity()},
			{"PPAP", r.PPAP(), PPAPOf(m)},
			{"IsError", r.IsError(), matchIs(nil, m, "error")},
			{"FromAddr", r.FromAddr(), m.FromAddr},
			{"Partner", r.Partner(), PartnerDomain(m)},
			{"RequiredKinds", fmt.Sprint(r.RequiredKinds()), fmt.Sprint(RequiredKinds(m))},
			{"MayCarryReport", r.Has(RowMayCarryReport), MayCarryReport(m)},
			{"PasswordFound", r.Has(RowPasswordFound), passwordFound(m)},
			{"DMARCTesting", r.Has(RowDMARCTesting), m.Auth != nil && m.Auth.DMARC.Testing},
			{"recipients", fmt.Sprint(slices.Collect(rowRecipients(&r))), fmt.Sprint(recipientAddrs(m))},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Fatalf("message %s: row %s = %v, message says %v", m.ID, c.what, c.got, c.want)
			}
		}
	}
}

// TestRowDropsTheLocationOnly checks that a row's date is the message's
// instant, in UTC, whatever zone the Date header gave.
func TestRowDropsTheLocationOnly(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	m := Message{Date: time.Date(2026, 11, 10, 9, 0, 0, 5, jst)}
	r := NewRow(&m)
	if !r.Date().Equal(m.Date) || r.Date().Location() != time.UTC {
		t.Fatalf("row date %v, want %v in UTC", r.Date(), m.Date)
	}
	if z := NewRow(&Message{}); !z.Date().IsZero() {
		t.Fatalf("zero date became %v", z.Date())
	}
}

func TestPackedStrings(t *testing.T) {
	tests := [][]string{nil, {""}, {"a"}, {"a\x00b", "", strings.Repeat("x", 300), "部長"}}
	for _, in := range tests {
		p := packStrings(in)
		var got []string
		anyPacked(p, func(s string) bool { got = append(got, s); return false })
		if fmt.Sprint(got) != fmt.Sprint(in) && !(len(in) == 0 && len(got) == 0) {
			t.Errorf("pack %q: got back %q", in, got)
		}
	}
}

// TestInternedRowsEqualPlainRows checks that a table's interned rows
// are equal to rows built on their own, and share their verdicts.
func TestInternedRowsEqualPlainRows(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(18, 10)), 400)
	var in interner
	shared := map[RowVerdicts]*RowVerdicts{}
	for i := range msgs {
		got, want := newRow(&msgs[i], &in, in.arenaFor(arenaBatch)), NewRow(&msgs[i])
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("message %s: interned row %+v, want %+v", msgs[i].ID, got, want)
		}
		if p, ok := shared[*got.RowVerdicts]; ok && p != got.RowVerdicts {
			t.Fatalf("message %s: equal verdicts held twice", msgs[i].ID)
		}
		shared[*got.RowVerdicts] = got.RowVerdicts
	}
	if len(shared) == len(msgs) {
		t.Error("no two messages share verdicts: the test shows nothing")
	}
}

// TestRowStatsMatchMessageStats checks that counting rows gives the
// statistics counting the messages gives, dispositions and dates
// included.
func TestRowStatsMatchMessageStats(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 11))
	msgs := append(rowMessages(r, 2000), queryMessages()...)
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for i := range msgs {
		if a := msgs[i].Auth; a != nil {
			a.DMARC.Disposition = []Disposition{"", DispositionNone, DispositionQuarantine, DispositionReject}[r.IntN(4)]
		}
		if r.IntN(8) == 0 {
			msgs[i].Date = now.Add(72 * time.Hour) // suspect: in the future
		}
	}
	byMsg, byRow := NewStatsCounter(), NewStatsCounter()
	byMsg.Now, byRow.Now = now, now
	for i := range msgs {
		row := NewRow(&msgs[i])
		byMsg.Add(&msgs[i])
		byRow.AddRow(&row)
	}
	want, got := byMsg.Stats(), byRow.Stats()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows count\n%+v\nmessages count\n%+v", got, want)
	}
	d := want.Dispositions
	if want.Undated == 0 || want.SuspectDates == 0 || want.Delivered == 0 || d.Reject == 0 || d.Quarantine == 0 ||
		d.NoPolicy == 0 || d.Unchecked == 0 || d.None == 0 || len(want.FailingDomains) == 0 || len(want.Series.Points) == 0 {
		t.Errorf("the test data leaves some statistic at zero: %+v", want)
	}
}

// BenchmarkNewRow measures building rows: plain (NewRow) and interned
// as the hub builds them (RowBuilder.Rows), over generated messages.
func BenchmarkNewRow(b *testing.B) {
	msgs := rowMessages(rand.New(rand.NewPCG(18, 31)), 1000)
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = NewRow(&msgs[i%len(msgs)])
		}
	})
	b.Run("interned", func(b *testing.B) {
		b.ReportAllocs()
		s := NewRowBuilder()
		for i := 0; b.Loop(); i++ {
			if i%len(msgs) == 0 {
				s = NewRowBuilder()
			}
			s.Rows(msgs[i%len(msgs) : i%len(msgs)+1])
		}
	})
}
