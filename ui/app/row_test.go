package app

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestRowsAgreeOnAnalysedMail runs the demo's curated messages and a
// bulk quarantine through the real analysis and checks that each
// message's row passes exactly the filters the message passes and sorts
// as it does, for filters made from the quarantine's own values (every
// term of the language, every quick filter).
func TestRowsAgreeOnAnalysedMail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q")
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(400, 2, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	a, err := Open(t.Context(), dir, Config{TrustedHosts: []string{demo.TrustedMTA}, Flags: Flags{NoCache: true}},
		Options{Resolver: auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var msgs []model.Message
	if err := a.Scan(t.Context(), func(m model.Message) error { msgs = append(msgs, m); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	rows := make([]model.Row, len(msgs))
	for i := range msgs {
		rows[i] = model.NewRow(&msgs[i])
	}
	filters := filtersFrom(msgs)
	if len(filters) < 60 {
		t.Fatalf("only %d filters made from the quarantine", len(filters))
	}
	discriminating := 0
	for _, f := range filters {
		var q *model.Query
		if model.IsQuery(f.Text) {
			parsed, err := model.ParseQuery(f.Text)
			if err != nil {
				t.Fatalf("%q: %v", f.Text, err)
			}
			q = &parsed
		}
		kept := 0
		for i := range msgs {
			want := f.Match(&msgs[i])
			if got := f.MatchRow(&rows[i], strings.ToLower(f.Text), q); got != want {
				t.Errorf("filter %q %+v, message %s: row says %v, message %v", f.Text, f, msgs[i].ID, got, want)
			}
			if want {
				kept++
			}
		}
		if kept > 0 && kept < len(msgs) {
			discriminating++
		}
	}
	if discriminating < len(filters)*2/3 {
		t.Errorf("only %d of %d filters keep some messages and drop others", discriminating, len(filters))
	}
	tab := model.NewTable()
	tab.Append(msgs...)
	for c := range model.NumColumns {
		for i := range msgs {
			for j := range msgs[:min(len(msgs), 60)] {
				want := compareSign(tableOrder(tab, c, msgs[i].ID, msgs[j].ID))
				got := compareSign(model.CompareRows(c, &rows[i], &rows[j]))
				if got == 0 {
					got = compareSign(i - j) // a tie: arrival order
				}
				if got != want {
					t.Fatalf("column %v: %s vs %s: rows %d, table %d", c, msgs[i].ID, msgs[j].ID, got, want)
				}
			}
		}
	}
}

// tableOrder reports how the table, sorted ascending by c, orders two
// messages: -1 or 1, or 0 when they are the same message.
func tableOrder(tab *model.Table, c model.Column, a, b model.MessageID) int {
	if a == b {
		return 0
	}
	if tab.Sort() != (model.SortKey{Column: c}) {
		tab.SetSort(model.SortKey{Column: c})
	}
	pa, pb := tab.Find(a), tab.Find(b)
	if pa < pb {
		return -1
	}
	return 1
}

func compareSign(c int) int { return min(max(c, -1), 1) }

// filtersFrom makes filters out of the messages' own values, a few of
// each term.
func filtersFrom(msgs []model.Message) []model.Filter {
	seen := map[string]bool{}
	var texts []string
	add := func(s string) {
		if s != "" && !seen[s] && !strings.ContainsAny(s, " \t\n") {
			seen[s] = true
			texts = append(texts, s)
		}
	}
	cut := func(s string, n int) string { return string([]rune(s)[:min(n, len([]rune(s)))]) }
	for i := 0; i < len(msgs); i += 37 {
		m := &msgs[i]
		add("from:" + cut(m.FromAddr, 4))
		add("domain:" + m.FromDomain)
		add(strings.ToUpper(cut(m.FromDomain, 6)))
		if len(m.To) > 0 {
			add("to:" + cut(m.To[0], 3))
		}
		for _, w := range strings.Fields(m.Subject) {
			add("subject:" + w)
			add(cut(w, 5))
		}
		add("msgid:" + cut(strings.Trim(m.MessageID, "<>"), 6))
		for _, n := range m.FileNames() {
			add(cut(n, 6))
		}
		if m.Auth != nil && m.Auth.SPF.IP != "" {
			ip := m.Auth.SPF.IP
			add("ip:" + ip[:strings.LastIndexAny(ip, ".:")+1])
			add("domain:" + m.Auth.SPF.Domain)
		}
		for _, a := range m.Attachments {
			for _, r := range a.Risks {
				add("risk:" + string(r))
			}
			if a.Archive != nil {
				for _, r := range a.Archive.AllRisks() {
					add("-risk:" + cut(string(r), 3))
				}
			}
		}
		if e := m.Encryption(); e != "" {
			add("enc:" + string(e))
		}
		add("date:" + m.Date.Format("2006-01-02"))
	}
	texts = append(texts, "auth:pass", "auth:fail", "auth:none", "auth:temperror", "enc:any",
		"is:error", "is:encrypted", "is:risky", "is:excepted", "is:ppap", "ip:192.0.2.0/24", "ip:2001:db8::/32")
	var fs []model.Filter
	for _, t := range texts {
		fs = append(fs, model.Filter{Text: t})
	}
	fs = append(fs, model.Filter{EncryptedOnly: true}, model.Filter{DMARCFailOnly: true}, model.Filter{TempErrorOnly: true},
		model.Filter{RiskyOnly: true}, model.Filter{NoException: true}, model.Filter{ErrorOnly: true},
		model.Filter{TempErrOnly: true})
	for i := 0; i < len(msgs); i += 101 {
		if m := &msgs[i]; m.Auth != nil && m.Auth.SPF.IP != "" {
			fs = append(fs, model.Filter{Source: &model.SourceFilter{IP: m.Auth.SPF.IP, FromDomains: []string{m.FromDomain}}})
		}
	}
	return slices.Clip(fs)
}
