package console

import (
	"reflect"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/ui/console/partnerview"
)

// TestPartnerInventory opens the inventory (I) on the sample messages:
// bank.example fails DMARC under p=reject and supplier.example sends an
// executable, so both would be blocked; shop.example is unaffected.
// Enter shows the selected partner's messages, s and S sort, esc closes.
func TestPartnerInventory(t *testing.T) {
	m := loaded(t, 160, 48)
	pressAll(m, "I")
	if m.partnerView == nil || m.screen != screenPartners {
		t.Fatal("I did not open the partner inventory")
	}
	frame := ansi.Strip(m.View().Content)
	for _, parts := range [][]string{
		{"Partners: enforcing would stop", "(by blocked)"},
		{"bank.example", "blocked", " 1 "},
		{"supplier.example", "blocked"},
		{"shop.example", "unaffected"},
	} {
		if !lineWith(frame, parts...) {
			t.Errorf("no line with %q:\n%s", parts, frame)
		}
	}
	pressAll(m, "s")
	if col, rev := m.partnerView.SortColumn(); col != partnerview.ByMessages || rev {
		t.Errorf("s: sorted by %s (reversed %v)", col, rev)
	}
	pressAll(m, "S")
	if _, rev := m.partnerView.SortColumn(); !rev {
		t.Error("S did not reverse")
	}
	// Back to blocked-first, to the top: bank.example is first (ties by
	// domain), and enter shows its one message.
	for range 6 {
		pressAll(m, "s")
	}
	pressAll(m, "S", "g")
	if p := m.partnerView.Selected(); p == nil || p.Domain != "bank.example" {
		t.Fatalf("selected %+v", p)
	}
	pressAll(m, "enter")
	if m.screen != screenList || m.table.Len() != 1 || m.table.RowAt(0).ID() != "cur/0003" {
		t.Fatalf("enter: screen %s, %d messages shown", m.screen, m.table.Len())
	}
	pressAll(m, "0", "I", "esc")
	if m.partnerView != nil || m.screen != screenList {
		t.Fatal("esc did not close the inventory")
	}
}

// TestPartnersFromRowsOnAnalysedMail checks, on the demo quarantine as
// the real analysis sees it, that the inventory counted from rows (what
// the console does) is the one counted from the messages ("mxaudit
// impact").
func TestPartnersFromRowsOnAnalysedMail(t *testing.T) {
	msgs := analysed(t, demoQuarantine(t, 400))
	p := policyFor(t, msgs)
	for _, opts := range []model.ImpactOptions{{Now: policyNow}, {Now: policyNow, HomeDomains: []string{"sakura-shoji.example"}}} {
		byMsg, byRow := model.NewImpactCounter(p, opts), model.NewImpactCounter(p, opts)
		for i := range msgs {
			row := model.NewRow(&msgs[i])
			byMsg.Add(&msgs[i])
			byRow.AddRow(&row)
		}
		want, got := byMsg.Partners(), byRow.Partners()
		if len(got) != len(want) {
			t.Fatalf("%d partners from rows, %d from messages", len(got), len(want))
		}
		blocked, allowed, recipients, paired := 0, 0, 0, 0
		for i := range want {
			w, g := want[i], got[i]
			if !g.FirstSeen.Equal(w.FirstSeen) || !g.LastSeen.Equal(w.LastSeen) {
				t.Errorf("%s: seen %v–%v from rows, %v–%v from messages", w.Domain, g.FirstSeen, g.LastSeen, w.FirstSeen, w.LastSeen)
			}
			g.FirstSeen, g.LastSeen, w.FirstSeen, w.LastSeen = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("partner from rows\n%+v\nfrom messages\n%+v", g, w)
			}
			blocked += w.Blocked
			allowed += w.Allowed
			recipients += w.RecipientCount
			paired += w.WithPasswordMail
		}
		t.Logf("%+v: %d partners, %d blocked, %d allowed, %d recipients, %d with password mail", opts.HomeDomains, len(want), blocked, allowed, recipients, paired)
		if blocked == 0 || allowed == 0 || recipients == 0 || paired == 0 {
			t.Errorf("the data leaves a count at zero")
		}
	}
}
