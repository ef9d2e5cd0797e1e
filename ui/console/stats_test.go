package console

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestStatsView(t *testing.T) {
	m := loaded(t, 160, 48)
	pressAll(m, "T")
	if m.statsView == nil {
		t.Fatal("T did not open the statistics")
	}
	frame := ansi.Strip(m.View().Content)
	for _, want := range []string{
		"Statistics over 7 messages",
		"DMARC disposition requested",
		"Top 20 From domains failing DMARC",
		"bank.example",
		"encrypted 1, risky 1",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("statistics lack %q:\n%s", want, frame)
		}
	}
	// DMARC: pass for shop, corp; fail for bank; none for supplier and
	// example.co.jp; two unchecked — 2 of 7 is 28.6%.
	if !lineWith(frame, "pass", "28.6%", " 2") {
		t.Errorf("no DMARC pass bar of 2 (28.6%%):\n%s", frame)
	}
	// The quick filters narrow what is counted.
	pressAll(m, "2")
	frame = ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "Statistics over 1 messages (filter dmarc-fail)") {
		t.Fatalf("the filter is not applied:\n%s", frame)
	}
	pressAll(m, "0", "esc")
	if m.statsView != nil {
		t.Fatal("esc did not close the statistics")
	}
}

// lineWith reports whether a line of frame holds every part.
func lineWith(frame string, parts ...string) bool {
	for _, line := range strings.Split(frame, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestStatsUpdateWhileScanning(t *testing.T) {
	clock := testNow
	cfg := testConfig(nil)
	cfg.Now = func() time.Time { return clock }
	m := newModel(t.Context(), cfg, true)
	m.scan.running = true
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	msgs := sampleMessages()
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs[:2]})
	pressAll(m, "T")
	if !strings.Contains(ansi.Strip(m.View().Content), "Statistics over 2 messages — scan running") {
		t.Fatalf("statistics at the start:\n%s", ansi.Strip(m.View().Content))
	}
	// A batch right after the last count is not counted at once…
	cmd := deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs[2:4]})
	if strings.Contains(ansi.Strip(m.View().Content), "over 4 messages") {
		t.Fatal("recounted on every batch")
	}
	if cmd == nil || !m.statsDirty {
		t.Fatal("no recount scheduled")
	}
	// …but when the tick comes.
	m.Update(statsTickMsg{})
	if !strings.Contains(ansi.Strip(m.View().Content), "over 4 messages") {
		t.Fatal("the scheduled recount did not happen")
	}
	// After the interval a batch is counted at once, and the last one too.
	clock = clock.Add(time.Second)
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs[4:6]})
	if !strings.Contains(ansi.Strip(m.View().Content), "over 6 messages") {
		t.Fatal("a batch after the interval was not counted")
	}
	deliver(m, scanBatchMsg{id: m.scan.id, msgs: msgs[6:], done: true})
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "over 7 messages") || strings.Contains(frame, "scan running") {
		t.Fatalf("the final batch was not counted:\n%s", frame)
	}
}
