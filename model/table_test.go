package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// msg builds a message for the table tests; fields not given stay zero.
func msg(id string, opts ...func(*Message)) Message {
	m := Message{ID: MessageID(id), Subject: id, Verdict: Verdict{Attachment: AttachmentClean, Auth: AuthPass}}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func withDate(day int) func(*Message) {
	return func(m *Message) { m.Date = time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
}
func withSize(n int64) func(*Message)  { return func(m *Message) { m.Size = n } }
func withFrom(s string) func(*Message) { return func(m *Message) { m.From = s } }
func withDMARC(r Result, p Disposition) func(*Message) {
	return func(m *Message) {
		if m.Auth == nil {
			m.Auth = &Auth{}
		}
		m.Auth.DMARC.Result, m.Auth.DMARC.Policy = r, p
		if r == ResultFail {
			m.Verdict.Auth = AuthFail
		}
	}
}
func withEncryptedZip(name string) func(*Message) {
	return func(m *Message) {
		m.Verdict.Attachment = AttachmentEncrypted
		m.Attachments = append(m.Attachments, Attachment{Filename: name, Archive: &Archive{
			Format: "zip", Encrypted: true, Encryption: EncryptionZipCrypto,
			Entries: []Entry{{Name: "doc.xlsx", Encrypted: true, Encryption: EncryptionZipCrypto}},
		}})
	}
}
func withRisk(name string, r Risk) func(*Message) {
	return func(m *Message) {
		m.Verdict.Attachment = AttachmentRisky
		m.Attachments = append(m.Attachments, Attachment{Filename: name, Risks: []Risk{r}})
	}
}

func ids(t *Table) []string {
	var out []string
	for i := range t.Len() {
		out = append(out, string(t.RowAt(i).ID()))
	}
	return out
}

func TestTableSort(t *testing.T) {
	msgs := []Message{
		msg("a", withDate(3), withSize(300), withFrom("Zoe <z@x.jp>"), withDMARC(ResultPass, DispositionReject)),
		msg("b", withDate(1), withSize(100), withFrom("adam@y.jp"), withDMARC(ResultFail, DispositionReject)),
		msg("c", withDate(2), withSize(300), withFrom(`"Mia" <m@z.jp>`), withDMARC(ResultFail, DispositionNone)),
		msg("d", withDate(2), withSize(50), withFrom("bob@w.jp")),
	}
	msgs[2].Exception = &ExceptionMatch{ID: 1}                                         // allows
	msgs[1].Exception = &ExceptionMatch{ID: 2, Missing: []ExceptionKind{"dmarc-fail"}} // partial
	tests := []struct {
		key  SortKey
		want []string
	}{
		{SortKey{Column: ColumnDate}, []string{"b", "c", "d", "a"}},
		{SortKey{Column: ColumnDate, Desc: true}, []string{"a", "c", "d", "b"}}, // c, d tie: arrival order kept
		{SortKey{Column: ColumnSize}, []string{"d", "b", "a", "c"}},
		{SortKey{Column: ColumnSize, Desc: true}, []string{"a", "c", "b", "d"}},
		{SortKey{Column: ColumnFrom}, []string{"b", "d", "c", "a"}},  // adam, bob, Mia, Zoe
		{SortKey{Column: ColumnDMARC}, []string{"a", "c", "b", "d"}}, // pass, fail/none, fail/reject, no auth
		{SortKey{Column: ColumnDMARC, Desc: true}, []string{"d", "b", "c", "a"}},
		{SortKey{Column: ColumnException}, []string{"a", "d", "b", "c"}}, // none (arrival order), partial, allowed
		{SortKey{Column: ColumnException, Desc: true}, []string{"c", "b", "a", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.key.String(), func(t *testing.T) {
			// Same result whether the sort comes before or after the messages.
			before := NewTable()
			before.SetSort(tt.key)
			for _, m := range msgs {
				before.Append(m)
			}
			after := NewTable()
			after.Append(msgs...)
			after.SetSort(tt.key)
			if got := ids(before); !slices.Equal(got, tt.want) {
				t.Errorf("appended one by one: %v, want %v", got, tt.want)
			}
			if got := ids(after); !slices.Equal(got, tt.want) {
				t.Errorf("sorted afterwards: %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTableFilter(t *testing.T) {
	msgs := []Message{
		msg("plain", withFrom("Alice <alice@example.jp>")),
		msg("ppap", withFrom("Bob <bob@corp.jp>"), withEncryptedZip("見積書.zip")),
		msg("spoof", withFrom("Bank <info@bank.example>"), withDMARC(ResultFail, DispositionReject)),
		msg("exe", withFrom("Eve <eve@evil.example>"), withRisk("invoice.pdf.exe", RiskDoubleExtension)),
	}
	msgs[1].Exception = &ExceptionMatch{ID: 7}
	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"none", Filter{}, []string{"plain", "ppap", "spoof", "exe"}},
		{"text from name", Filter{Text: "ALICE"}, []string{"plain"}},
		{"text domain", Filter{Text: "corp.jp"}, []string{"ppap"}},
		{"text file name", Filter{Text: "見積"}, []string{"ppap"}},
		{"text archive entry", Filter{Text: "doc.xlsx"}, []string{"ppap"}},
		{"text subject", Filter{Text: "spoof"}, []string{"spoof"}},
		{"no match", Filter{Text: "nothing"}, nil},
		{"encrypted", Filter{EncryptedOnly: true}, []string{"ppap"}},
		{"dmarc fail", Filter{DMARCFailOnly: true}, []string{"spoof"}},
		{"risky", Filter{RiskyOnly: true}, []string{"exe"}},
		{"no exception", Filter{NoException: true}, []string{"plain", "spoof", "exe"}},
		{"combined", Filter{Text: "e", RiskyOnly: true}, []string{"exe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := NewTable()
			tab.Append(msgs...)
			tab.SetFilter(tt.filter)
			if got := ids(tab); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for i := range msgs {
				want := slices.Contains(tt.want, string(msgs[i].ID))
				if got := tt.filter.Match(&msgs[i]); got != want {
					t.Errorf("Match(%s) = %v, want %v", msgs[i].ID, got, want)
				}
			}
			// Messages arriving after the filter is set are filtered too.
			late := NewTable()
			late.SetFilter(tt.filter)
			late.Append(msgs...)
			if got := ids(late); !slices.Equal(got, tt.want) {
				t.Errorf("filter before append: %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilterNarrowingMatchesFullRebuild(t *testing.T) {
	tab := NewTable()
	var all []Message
	for i := range 200 {
		all = append(all, msg(fmt.Sprintf("m%03d", i), withSize(int64(i%7))))
		tab.Append(all[i])
	}
	steps := []Filter{{Text: "m1"}, {Text: "m10"}, {Text: "m1"}, {Text: "m1", RiskyOnly: true}, {Text: "m"}, {}}
	for _, f := range steps {
		tab.SetFilter(f)
		fresh := NewTable()
		fresh.Append(all...)
		fresh.SetFilter(f)
		if !slices.Equal(ids(tab), ids(fresh)) {
			t.Fatalf("filter %+v: incremental %v != rebuilt %v", f, ids(tab), ids(fresh))
		}
	}
}

func TestTableSelectionFollowsMessage(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Table)
		want   string // selected ID afterwards
	}{
		{"sort by size", func(t *Table) { t.SetSort(SortKey{Column: ColumnSize}) }, "c"},
		{"flip order", func(t *Table) { t.SetSort(DefaultSort.Flip()) }, "c"},
		{"earlier message arrives", func(t *Table) { t.Append(msg("z", withDate(0))) }, "c"},
		{"filter keeps it", func(t *Table) { t.SetFilter(Filter{Text: "c"}) }, "c"},
		{"filter hides it", func(t *Table) { t.SetFilter(Filter{Text: "d"}) }, "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := NewTable()
			tab.Append(msg("a", withDate(1), withSize(3)), msg("b", withDate(2), withSize(2)),
				msg("c", withDate(3), withSize(1)), msg("d", withDate(4), withSize(4)))
			tab.SetCursor(2)
			if got := tab.SelectedRow().ID(); got != "c" {
				t.Fatalf("setup: selected %s", got)
			}
			tt.change(tab)
			if got := tab.SelectedRow(); got == nil || string(got.ID()) != tt.want {
				t.Fatalf("selected %v, want %s", got, tt.want)
			}
			if tab.RowAt(tab.Cursor()) != tab.SelectedRow() {
				t.Fatal("cursor and selection disagree")
			}
		})
	}
}

func TestTableManyChunks(t *testing.T) {
	tab := NewTable()
	msgs := benchMessages(5000)
	for i := 0; i < len(msgs); i += 777 {
		tab.Append(msgs[i:min(i+777, len(msgs))]...)
	}
	first := tab.RowAt(0)
	tab.Append(benchMessages(3000)...)
	if tab.Total() != 8000 || tab.Len() != 8000 {
		t.Fatalf("total %d, shown %d", tab.Total(), tab.Len())
	}
	if first.ID() != msgs[0].ID && tab.Find(first.ID()) < 0 {
		t.Fatal("a message pointer went stale after Append")
	}
	for i := 1; i < tab.Len(); i++ {
		if tab.RowAt(i - 1).Date().After(tab.RowAt(i).Date()) {
			t.Fatalf("rows %d and %d out of date order", i-1, i)
		}
	}
}

func TestTableCursorBounds(t *testing.T) {
	tab := NewTable()
	if tab.SelectedRow() != nil || tab.Cursor() != -1 {
		t.Fatal("empty table has a selection")
	}
	tab.MoveCursor(5) // must not panic
	tab.Append(msg("a"), msg("b"), msg("c"))
	if got := tab.SelectedRow().ID(); got != "a" {
		t.Fatalf("first arrival not selected: %s", got)
	}
	tab.MoveCursor(10)
	if tab.Cursor() != 2 {
		t.Fatalf("cursor %d, want 2", tab.Cursor())
	}
	tab.MoveCursor(-10)
	if tab.Cursor() != 0 {
		t.Fatalf("cursor %d, want 0", tab.Cursor())
	}
	tab.SetFilter(Filter{Text: "none"})
	if tab.SelectedRow() != nil || tab.Cursor() != -1 {
		t.Fatal("selection survives an empty view")
	}
	tab.SetFilter(Filter{})
	if tab.SelectedRow() == nil {
		t.Fatal("no selection after the filter is cleared")
	}
	if pos := tab.Find("b"); pos != 1 {
		t.Fatalf("Find(b) = %d", pos)
	}
}

func TestSummaries(t *testing.T) {
	tests := []struct {
		name        string
		m           Message
		from        string
		dkim        Result
		aligned     bool
		enc         Encryption
		severity    int
		encrypted   bool
		risky, fail bool
	}{
		{"no auth", msg("x", withFrom("x@y.jp")), "x@y.jp", "", false, "", 0, false, false, false},
		{"quoted name", msg("x", withFrom(`"山田 太郎" <t@y.jp>`)), "山田 太郎", "", false, "", 0, false, false, false},
		{"empty name", Message{From: "<t@y.jp>", FromAddr: "t@y.jp"}, "t@y.jp", "", false, "", 0, false, false, false},
		{"unsigned", Message{Auth: &Auth{}}, "", ResultNone, false, "", 0, false, false, false},
		{"aligned pass wins", Message{Auth: &Auth{DKIM: []DKIMResult{
			{Result: ResultFail, Aligned: true}, {Result: ResultPass, Aligned: true}, {Result: ResultPass}}}},
			"", ResultPass, true, "", 0, false, false, false},
		{"unaligned only", Message{Auth: &Auth{DKIM: []DKIMResult{{Result: ResultPass}}}}, "", ResultPass, false, "", 0, false, false, false},
		{"encrypted nested", Message{Attachments: []Attachment{{Archive: &Archive{Entries: []Entry{
			{Archive: &Archive{Encrypted: true, Encryption: EncryptionAES256}}}}}}},
			"", "", false, EncryptionAES256, 3, true, false, false},
		{"dmarc fail", msg("x", withDMARC(ResultFail, DispositionReject)), "", ResultNone, false, "", 2, false, false, true},
		{"risky", msg("x", withRisk("a.exe", RiskExecutable)), "", "", false, "", 2, false, true, false},
		{"error", Message{Error: "cannot read"}, "", "", false, "", 4, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			if got := m.DisplayFrom(); got != tt.from {
				t.Errorf("DisplayFrom = %q, want %q", got, tt.from)
			}
			d, al := m.DKIMSummary()
			if d != tt.dkim || al != tt.aligned {
				t.Errorf("DKIMSummary = %q,%v want %q,%v", d, al, tt.dkim, tt.aligned)
			}
			if got := m.Encryption(); got != tt.enc {
				t.Errorf("Encryption = %q, want %q", got, tt.enc)
			}
			if got := m.Severity(); got != tt.severity {
				t.Errorf("Severity = %d, want %d", got, tt.severity)
			}
			if m.IsEncrypted() != tt.encrypted || m.IsRisky() != tt.risky || m.IsDMARCFail() != tt.fail {
				t.Errorf("IsEncrypted/IsRisky/IsDMARCFail = %v/%v/%v", m.IsEncrypted(), m.IsRisky(), m.IsDMARCFail())
			}
		})
	}
}

func TestColumnCycle(t *testing.T) {
	c := ColumnMarker
	for range NumColumns {
		c = c.Next()
	}
	if c != ColumnMarker || ColumnMarker.Prev() != ColumnException {
		t.Fatalf("cycle broken: %v %v", c, ColumnMarker.Prev())
	}
	if Column(99).String() != "column?" || ColumnDMARC.String() != "dmarc" {
		t.Fatal("names wrong")
	}
	if got := (Filter{Text: "x", EncryptedOnly: true}).String(); got != `"x" + encrypted` {
		t.Fatalf("Filter.String = %q", got)
	}
}

// benchMessages returns n varied messages for the benchmarks.
func benchMessages(n int) []Message {
	out := make([]Message, n)
	for i := range out {
		out[i] = msg(fmt.Sprintf("m%06d", i), withDate(1+i%28), withSize(int64(i*7919%100000)),
			withFrom(fmt.Sprintf("User %d <u%d@d%d.example>", i%977, i, i%131)))
		if i%5 == 0 {
			withDMARC(ResultFail, DispositionReject)(&out[i])
		}
	}
	return out
}

// BenchmarkAppendSorted measures streaming 100,000 messages into a table
// sorted by size, in batches of 256 as the console receives them.
func BenchmarkAppendSorted(b *testing.B) {
	msgs := benchMessages(100_000)
	for b.Loop() {
		tab := NewTable()
		tab.SetSort(SortKey{Column: ColumnSize})
		for i := 0; i < len(msgs); i += 256 {
			tab.Append(msgs[i:min(i+256, len(msgs))]...)
		}
	}
}

// BenchmarkResort measures changing the sort column with 100,000 messages.
func BenchmarkResort(b *testing.B) {
	tab := NewTable()
	tab.Append(benchMessages(100_000)...)
	keys := []SortKey{{Column: ColumnFrom}, {Column: ColumnDMARC, Desc: true}}
	i := 0
	for b.Loop() {
		tab.SetSort(keys[i%2])
		i++
	}
}

// BenchmarkFilterKeystroke measures one keystroke of the text filter with
// 100,000 messages (a full pass: the text does not narrow the last one).
func BenchmarkFilterKeystroke(b *testing.B) {
	tab := NewTable()
	tab.Append(benchMessages(100_000)...)
	texts := []string{"user 1", "d13"}
	i := 0
	for b.Loop() {
		tab.SetFilter(Filter{Text: texts[i%2]})
		i++
	}
}

// TestFlippedSortIsTheSort: reversing the sort (the S key, with no order
// kept for the other direction) gives the order a sort by that key gives,
// for every column, both ways, ties in arrival order; rows that arrived
// and left before the flip are where a sort puts them.
func TestFlippedSortIsTheSort(t *testing.T) {
	msgs := benchMessages(3000) // many ties: 28 dates, 977 senders, a fifth DMARC failures
	msgs = append(msgs, rowMessages(rand.New(rand.NewPCG(1, 2)), 300)...)
	for c := range NumColumns {
		for _, desc := range []bool{false, true} {
			k := SortKey{Column: c, Desc: desc}
			flip := NewTable()
			flip.Append(msgs[:2000]...)
			flip.SetSort(k.Flip())
			flip.Append(msgs[2000:]...)
			flip.Remove(map[MessageID]bool{msgs[5].ID: true, msgs[2500].ID: true})
			flip.rowsChanged() // no order kept: the flip is made from the current one
			flip.SetSort(k)
			sorted := NewTable()
			sorted.Append(msgs...)
			sorted.Remove(map[MessageID]bool{msgs[5].ID: true, msgs[2500].ID: true})
			sorted.SetSort(SortKey{Column: (c + 1) % NumColumns})
			sorted.rowsChanged()
			sorted.SetSort(k)
			if got, want := ids(flip), ids(sorted); !slices.Equal(got, want) {
				t.Errorf("%v: flipped order differs from the sort (%d rows)", k, len(got))
			}
		}
	}
}

// BenchmarkSortFlip measures the S key with 100,000 messages and no
// order kept for the other direction: the order flipped by its ties,
// the fallback when it has none (comparing neighbours), and a sort by a
// new column.
func BenchmarkSortFlip(b *testing.B) {
	for _, tt := range []struct {
		name string
		next func(SortKey) SortKey
		ties bool
	}{
		{"flip", func(k SortKey) SortKey { return k.Flip() }, true},
		{"flip-unknown-ties", func(k SortKey) SortKey { return k.Flip() }, false},
		{"sort", func(k SortKey) SortKey { return SortKey{Column: k.Column.Next()} }, true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			tab := NewTable()
			tab.Append(benchMessages(100_000)...)
			tab.SetSort(SortKey{Column: ColumnFrom})
			for b.Loop() {
				tab.kept = nil // no order kept
				if !tt.ties {
					tab.orderTies = nil
				}
				tab.SetSort(tt.next(tab.sort))
			}
		})
	}
}
