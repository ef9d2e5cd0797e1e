package reportsview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"mxaudit/analysis/dmarcreport"
	"mxaudit/ui/console/common"
	"mxaudit/ui/console/keys"
	"mxaudit/ui/console/styles"
)

// TestHostileReport checks that what a reporter wrote reaches the screen
// only as visible text, and that the cursor stops at both ends.
func TestHostileReport(t *testing.T) {
	com := &common.Common{Styles: styles.New(true, true), Keys: keys.Default()}
	m := New(com)
	m.SetSize(100, 20)
	evil := "evil\x1b]52;c;QQ==\x07\u202e"
	m.SetSummary(dmarcreport.Summary{Reports: 1, Messages: 5, Domains: []dmarcreport.DomainSummary{{
		Domain: "example.com" + evil, Policy: evil, Messages: 5,
		Dispositions: map[string]int64{evil: 5},
		Reporters:    []dmarcreport.ReporterCount{{OrgName: evil, Reports: 1, Messages: 5}},
		FailingSources: []dmarcreport.FailingSource{
			{IP: "192.0.2.1", ReverseDNS: evil, Messages: 4, HeaderFrom: []string{evil}, EnvelopeFrom: []string{evil}},
			{IP: "192.0.2.2", Messages: 1, HeaderFrom: []string{"example.com"}},
		},
		FailingSourcesTotal: 2,
	}}}, 1, 0)
	frame := m.View()
	for _, bad := range []string{"\x1b]", "\x07", "\u202e"} {
		if strings.Contains(frame, bad) {
			t.Fatalf("the frame carries %q", bad)
		}
	}
	if !strings.Contains(frame, "example.com") {
		t.Fatalf("the domain is not shown:\n%s", frame)
	}
	down := tea.KeyPressMsg{Code: 'j', Text: "j"}
	up := tea.KeyPressMsg{Code: 'k', Text: "k"}
	steps := []struct {
		key  tea.KeyPressMsg
		want string
	}{{up, "192.0.2.1"}, {down, "192.0.2.2"}, {down, "192.0.2.2"}, {up, "192.0.2.1"}}
	for i, s := range steps {
		m.Update(s.key)
		if got := m.Selected(); got == nil || got.IP != s.want {
			t.Fatalf("step %d: selected %v, want %s", i, got, s.want)
		}
	}
}
