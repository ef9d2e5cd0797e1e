package console

import (
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/analysis"
	"mxaudit/analysis/auth"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// demoSummaryConsole lists the demo quarantine from a real Maildir as a
// summarising scan would (AnalyzeSummary: header and structure only, so
// DKIM is not verified) and returns a console whose Reanalyse reads the
// message whole with the same analyzer, resolving DNS from the demo zone.
func demoSummaryConsole(t *testing.T) (*Model, []demo.Sample) {
	t.Helper()
	dir := t.TempDir()
	samples := demo.Samples(demo.Options{})
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	src, err := mailsrc.NewMaildir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	an := analysis.New(analysis.Config{Auth: auth.NewChecker(auth.Config{
		TrustedHosts: []string{demo.TrustedMTA},
		Resolver:     auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone())),
	})})
	ctx := t.Context()
	var listed []model.Message
	err = src.List(ctx, func(e mailsrc.Entry) error {
		rc, err := src.Open(ctx, e.ID)
		if err != nil {
			return err
		}
		defer rc.Close()
		raw, err := io.ReadAll(rc)
		if err != nil {
			return err
		}
		listed = append(listed, an.AnalyzeSummary(ctx, e.ID, raw))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(nil)
	stubOf(cfg).open = src.Open
	// The verify key goes through the application core, as in the
	// console over a real source.
	core, err := app.OpenWith(src, dir, app.Config{TrustedHosts: []string{demo.TrustedMTA}},
		app.Options{Resolver: auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Verifier = core
	m := newModel(ctx, cfg, true)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 60})
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: listed, done: true})
	return m, samples
}

// TestVerifyReplacesSummaryDKIM checks the verify key: on messages whose
// signatures the summary left unverified it fetches the message whole,
// replaces the row with the verified result the generator expects, and
// says so in the status line; the detail pane hints at the key first.
func TestVerifyReplacesSummaryDKIM(t *testing.T) {
	m, samples := demoSummaryConsole(t)
	checked := 0
	for _, s := range samples {
		if s.Want.Malformed || len(s.Want.Auth.DKIM) != 1 {
			continue
		}
		want := s.Want.Auth.DKIM[0]
		if want.Result != model.ResultPass && want.Result != model.ResultFail {
			continue
		}
		id := idWithName(t, m, s.Name)
		before := readBack(t, m, id)
		if before == nil || before.Auth == nil || len(before.Auth.DKIM) != 1 {
			t.Fatalf("%s: no summary DKIM result", s.Want.Scenario)
		}
		unverified := before.Auth.DKIM[0].Source != model.SourceHeader
		if unverified && !strings.HasPrefix(before.Auth.DKIM[0].Reason, "not verified") {
			t.Fatalf("%s: summary DKIM %+v, want unverified", s.Want.Scenario, before.Auth.DKIM[0])
		}
		selectID(t, m, id)
		if unverified {
			m.detailOpen = true
			m.relayout()
			m.selectionChanged()
			settle(m)
			if frame := ansi.Strip(m.View().Content); !strings.Contains(frame, "press v to fetch the whole message") {
				t.Errorf("%s: the detail pane does not hint at the verify key:\n%s", s.Want.Scenario, frame)
			}
			m.detailOpen = false
			m.relayout()
		}

		cmd := pressAll(m, "v")
		if cmd == nil {
			t.Fatalf("%s: v returned no command", s.Want.Scenario)
		}
		runCmd(t, m, cmd, func(msg tea.Msg) bool { _, ok := msg.(reanalysedMsg); return ok })

		after := readBack(t, m, id)
		if after.Auth == nil || len(after.Auth.DKIM) != 1 {
			t.Fatalf("%s: message without DKIM after verifying", s.Want.Scenario)
		}
		got := after.Auth.DKIM[0]
		if row := m.table.RowByID(id); row.DKIM != got.Result {
			t.Errorf("%s: the row shows DKIM %s, the verified message %s", s.Want.Scenario, row.DKIM, got.Result)
		}
		if got.Result != want.Result || got.Domain != want.Domain || got.Source == model.SourceHeader {
			t.Errorf("%s: verified DKIM %s d=%s (source %q, %s), want live %s d=%s", s.Want.Scenario,
				got.Result, got.Domain, got.Source, got.Reason, want.Result, want.Domain)
		}
		note := "DKIM verified: " + string(want.Result) + " (d=" + want.Domain + ")"
		if m.notice.text != note || m.notice.bad {
			t.Errorf("%s: status %q (bad %v), want %q", s.Want.Scenario, m.notice.text, m.notice.bad, note)
		}
		if after.Subject != before.Subject || m.table.Total() != len(samples) {
			t.Errorf("%s: replacing the row changed the list: subject %q, %d rows", s.Want.Scenario, after.Subject, m.table.Total())
		}
		checked++
	}
	if checked < 3 {
		t.Fatalf("only %d signed demo messages checked; the demo changed?", checked)
	}
}

// TestVerifyWithoutReanalyse checks that the key explains itself when the
// console cannot re-read messages, and that a failed read is a note.
func TestVerifyWithoutReanalyse(t *testing.T) {
	m := loaded(t, 120, 30)
	// (The command returned is the notice's expiry timer.)
	if pressAll(m, "v"); m.inFlight != 0 || !m.notice.bad || !strings.Contains(m.notice.text, "not available") {
		t.Fatalf("v without Reanalyse: in flight %d, notice %+v", m.inFlight, m.notice)
	}
	m.cfg.Verifier = stubOf(m.cfg)
	stubOf(m.cfg).reanalyse = func(context.Context, model.MessageID) (model.Message, error) {
		return model.Message{}, mailsrc.ErrNotFound
	}
	sel := m.table.SelectedRow().ID()
	runCmd(t, m, pressAll(m, "v"), nil)
	if !m.notice.bad || !strings.Contains(m.notice.text, "message not found") || m.table.RowByID(sel) == nil {
		t.Fatalf("failed verification: notice %+v, row kept %v", m.notice, m.table.RowByID(sel) != nil)
	}
}

// idWithName finds the listed message stored under the demo name.
func idWithName(t *testing.T, m *Model, name string) model.MessageID {
	t.Helper()
	for id := range m.listedIDs() {
		if strings.Contains(string(id), name) {
			return id
		}
	}
	t.Fatalf("no listed message named %s", name)
	return ""
}
