package model

import (
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzRowDecode: whatever bytes a rows file holds, Decode gives rows
// whose every accessor, filter, sort, counter and policy path runs
// without a panic.
func FuzzRowDecode(f *testing.F) {
	msgs := rowMessages(rand.New(rand.NewPCG(11, 12)), 40)
	var enc RowEncoder
	var all []byte
	for i := range msgs {
		r := NewRow(&msgs[i])
		if i%2 == 1 { // half with the sum of their message
			r = NewRowOf(&msgs[i], SumContent([]byte(msgs[i].ID)))
		}
		one := enc.Append(nil, &r)
		all = append(all, one...)
		if i < 8 {
			f.Add(string(new(RowEncoder).Append(nil, &r)))
		}
	}
	f.Add(string(all))
	queries := []string{"corp", "from:bank", "msgid:abc", "risk:macro to:ops", "domain:x ip:203.0.113.0/24",
		"subject:a", "date:2020-01-01..2030-01-01", "auth:temperror", "enc:zip", "is:error", "is:ppap", "is:marked", "-is:risky"}
	var qs []Query
	for _, t := range queries {
		q, err := ParseQuery(t)
		if err != nil {
			f.Fatal(err)
		}
		qs = append(qs, q)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	pol := &Policy{Exceptions: []Exception{
		{ID: 1, Scope: ScopeDomain, Value: "example.com", Kinds: []ExceptionKind{KindEncryptedArchive}, ApprovedBy: "a", Approved: now.Add(-time.Hour)},
		{ID: 2, Scope: ScopeAddress, Value: "a@example.com", Kinds: []ExceptionKind{KindRiskyType, KindDMARCFail}, ApprovedBy: "a", Approved: now.Add(-time.Hour)},
	}}
	f.Fuzz(func(t *testing.T, data string) {
		var d RowDecoder
		var rows []*Row
		for data != "" && len(rows) < 200 {
			r, rest, err := d.Decode(data)
			if err != nil {
				break
			}
			if len(rest) >= len(data) {
				t.Fatal("no progress")
			}
			data = rest
			rows = append(rows, &r)
		}
		st := NewStatsCounter()
		ic := NewImpactCounter(pol, ImpactOptions{Now: now, HomeDomains: []string{"example.com"}})
		for _, r := range rows {
			_ = string(r.ID()) + r.From() + r.Subject() + r.ReadError() + r.IP() + r.FromAddr() + r.Domain() + r.Partner()
			_ = r.hay() + r.fromKey() + r.subjectKey() + r.to() + r.domains() + r.risks() + r.searchText() + r.messageID()
			_, _, _, _ = r.Date(), r.Severity(), r.IsError(), r.PPAP()
			_ = r.RequiredKinds()
			for rr := range rowRecipients(r) {
				_ = rr
			}
			x, _ := pol.AnnotateRow(r, now)
			_ = x.WithException(nil)
			_ = r.idOnly()
			for i := range qs {
				qs[i].Marked = func(MessageID) bool { return true }
				Filter{Text: queries[i]}.MatchRow(r, queries[i], &qs[i])
				Filter{Text: queries[i], EncryptedOnly: true, ErrorOnly: true}.MatchRow(r, queries[i], nil)
			}
			sf := &SourceFilter{IP: "203.0.113.1", FromDomains: []string{"example.com"}}
			_ = Filter{Source: sf}.MatchRow(r, "", nil)
			st.AddRow(r)
			ic.AddRow(r)
			for c := Column(0); c < NumColumns; c++ {
				_ = rowPrefix(c, r)
				_ = rowSenderText(c, r)
				for _, o := range rows {
					_ = CompareRows(c, r, o)
				}
			}
		}
		_ = st.Stats()
		_ = ic.Partners()
		tb := NewTable()
		tb.AppendSharedRows(rows...)
		for c := Column(0); c < NumColumns; c++ {
			tb.SetSort(SortKey{Column: c, Desc: c%2 == 0})
		}
		tb.SetFilter(Filter{Text: "a"})
		_ = tb.ArrivalRows()
	})
}
