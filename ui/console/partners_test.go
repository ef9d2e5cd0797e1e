package console

import (
	"testing"

	"github.com/charmbracelet/x/ansi"

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
	if m.screen != screenList || m.table.Len() != 1 || m.table.At(0).ID != "cur/0003" {
		t.Fatalf("enter: screen %s, %d messages shown", m.screen, m.table.Len())
	}
	pressAll(m, "0", "I", "esc")
	if m.partnerView != nil || m.screen != screenList {
		t.Fatal("esc did not close the inventory")
	}
}
