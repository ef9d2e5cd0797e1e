package console

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"mxaudit/ui/termtext"
)

// press returns the key press the terminal would send for s: a named key
// ("enter", "esc") or a printable character.
func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// frameStep is one golden frame: keys to press, then text to wait for
// in the terminal output before the frame is taken.
type frameStep struct {
	name  string
	keys  []string
	typed string // typed after keys, character by character
	after []string
	// waitFor, when set, is a message the program must have received
	// (a load finishing) before the frame is taken.
	waitFor func(tea.Msg) bool
	// final keys are pressed once waitFor has been seen.
	final []string
	// check is run on the frame with its escape sequences still in it.
	check func(t *testing.T, frame string)
}

func repeat(k string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = k
	}
	return out
}

var frameSteps = []frameStep{
	{name: "initial"},
	{name: "sort_dmarc_desc", keys: append(repeat("s", 8), "S")},
	{name: "filter_encrypted", keys: []string{"1"}},
	{name: "filter_text", keys: []string{"/"}, typed: "bank", after: []string{"enter"}},
	{name: "detail_open", keys: []string{"/"}, typed: "bank", after: []string{"enter", "enter"},
		waitFor: isHeaders, final: repeat("J", 11)},
	{name: "japanese_detail", keys: []string{"/"}, typed: "山田", after: []string{"enter", "enter"}, waitFor: isHeaders},
	{name: "escape_injection", keys: []string{"/"}, typed: "attacker", after: []string{"enter", "enter"}, waitFor: isHeaders,
		check: noInjectedControls},
	{name: "raw_view", keys: []string{"/"}, typed: "attacker", after: []string{"enter", "R"}, waitFor: isViewerLoad,
		check: func(t *testing.T, frame string) {
			noInjectedControls(t, frame)
			if !strings.Contains(ansi.Strip(frame), "^[]52;c;QQ==^G^[[2J") {
				t.Error("the raw view does not show the escape sequences as visible text")
			}
		}},
	{name: "help", keys: []string{"?"}},
	{name: "stats", keys: []string{"T"}},
	{name: "stats_filtered", keys: []string{"T", "2"}},
}

func isHeaders(msg tea.Msg) bool    { _, ok := msg.(headersLoadedMsg); return ok }
func isViewerLoad(msg tea.Msg) bool { _, ok := msg.(viewerLoadedMsg); return ok }
func isScanDone(msg tea.Msg) bool {
	b, ok := msg.(scanBatchMsg)
	return ok && b.done
}

// noInjectedControls fails when the frame carries anything but the SGR
// sequences of the console's own styles.
func noInjectedControls(t *testing.T, frame string) {
	t.Helper()
	rest := frame
	for {
		i := strings.IndexByte(rest, 0x1b)
		if i < 0 {
			break
		}
		seq := rest[i:]
		n := strings.IndexAny(seq, "mABCDHJK")
		if !strings.HasPrefix(seq, "\x1b[") || n < 0 || seq[n] != 'm' {
			t.Fatalf("frame carries a control sequence that is not SGR: %q", seq[:min(len(seq), 20)])
		}
		rest = seq[n+1:]
	}
	for _, bad := range []string{"\x07", "\x1b]", "\u202e"} {
		if strings.Contains(frame, bad) {
			t.Fatalf("frame carries %q", bad)
		}
	}
}

// TestFrames drives the console through a real tea.Program (teatest)
// and compares the final frames, with styles stripped, to golden files
// under testdata/TestFrames/. Run with -update to rewrite them.
func TestFrames(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		for _, step := range frameSteps {
			t.Run(fmt.Sprintf("%dx%d_%s", size[0], size[1], step.name), func(t *testing.T) {
				m := newModel(t.Context(), testConfig(sampleMessages()), true)
				scanned, loaded := newSignal(isScanDone), newSignal(step.waitFor)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]),
					teatest.WithProgramOptions(tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
						scanned.see(msg)
						loaded.see(msg)
						return msg
					})))
				scanned.wait(t)
				for _, k := range step.keys {
					tm.Send(press(k))
				}
				tm.Type(step.typed)
				for _, k := range step.after {
					tm.Send(press(k))
				}
				loaded.wait(t)
				for _, k := range step.final {
					tm.Send(press(k))
				}
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
				frame := final.View().Content
				checkFrame(t, frame, size[0], size[1])
				if step.check != nil {
					step.check(t, frame)
				}
				golden.RequireEqual(t, []byte(ansi.Strip(frame)))
			})
		}
	}
}

// signal is closed the first time the program receives a message that
// matches; a nil match is always done.
type signal struct {
	match func(tea.Msg) bool
	once  sync.Once
	ch    chan struct{}
}

func newSignal(match func(tea.Msg) bool) *signal {
	s := &signal{match: match, ch: make(chan struct{})}
	if match == nil {
		close(s.ch)
	}
	return s
}

func (s *signal) see(msg tea.Msg) {
	if s.match != nil && s.match(msg) {
		s.once.Do(func() { close(s.ch) })
	}
}

func (s *signal) wait(t *testing.T) {
	t.Helper()
	select {
	case <-s.ch:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the program")
	}
}

// checkFrame asserts the frame fills the terminal exactly: height lines,
// each exactly width cells wide, so nothing wraps or shifts.
func checkFrame(t *testing.T, frame string, width, height int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != height {
		t.Fatalf("frame has %d lines, want %d", len(lines), height)
	}
	for i, line := range lines {
		if w := termtext.Width(line); w != width {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, w, width, ansi.Strip(line))
		}
	}
}
