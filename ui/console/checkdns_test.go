package console

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/analysis/domaincheck"
)

// TestDomainCheckAfterDNSFailure: when DNS did not answer, the domain
// check says so and never "no record" — nobody could tell (issue 13).
func TestDomainCheckAfterDNSFailure(t *testing.T) {
	cfg := testConfig(checkMessages())
	cfg.Checker = stubOf(cfg)
	stubOf(cfg).check = func(context.Context, string) (*domaincheck.Report, error) {
		return &domaincheck.Report{}, fmt.Errorf("%w: _dmarc.example.co.jp: i/o timeout", domaincheck.ErrUnavailable)
	}
	m := newModel(t.Context(), cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	runCmd(t, m, m.Init(), nil)
	runCmd(t, m, pressAll(m, "c"), nil)
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "DNS unavailable") || strings.Contains(frame, "no record") {
		t.Fatalf("after a DNS failure the check shows:\n%s", frame)
	}
}
