// Package detail is the detail pane: everything the analysis found about
// the selected message, in words, in a scrollable viewport.
package detail

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Model is the detail pane.
type Model struct {
	com *common.Common
	vp  viewport.Model
	msg *model.Message
	// The Received chain comes from the raw headers, loaded by the root
	// model in a command; hopsFor says which message they belong to.
	hopsFor    model.MessageID
	hops       []Hop
	hopsErr    string
	hopsLoaded bool
	// lookup names the other half of a PPAP pair.
	lookup Lookup
	// pending is the message being read back while msg is nil, and
	// pendingErr why reading it failed ("" while it is on its way).
	pending    model.MessageID
	pendingErr string
}

// SetLookup tells the pane how to find other messages of the source.
func (m *Model) SetLookup(lookup Lookup) { m.lookup = lookup }

// New returns an empty detail pane.
func New(com *common.Common) *Model {
	vp := viewport.New()
	vp.FillHeight = true
	return &Model{com: com, vp: vp}
}

// SetSize sets the pane's size in cells.
func (m *Model) SetSize(width, height int) {
	changed := width != m.vp.Width()
	m.vp.SetWidth(width)
	m.vp.SetHeight(height)
	if changed {
		m.refresh()
	}
}

// SetMessage shows msg (nil for none). Showing a different message
// scrolls back to the top; the same one keeps the scroll position.
func (m *Model) SetMessage(msg *model.Message) {
	same := m.msg != nil && msg != nil && m.msg.ID == msg.ID
	m.pending, m.pendingErr = "", ""
	if msg != nil {
		cp := *msg // the table may move its messages; keep our own copy
		msg = &cp
	}
	m.msg = msg
	if !same {
		m.vp.GotoTop()
	}
	m.refresh()
}

// SetPending shows that message id is being read back (errText empty)
// or why it could not be, in place of a message.
func (m *Model) SetPending(id model.MessageID, errText string) {
	m.msg, m.pending, m.pendingErr = nil, id, errText
	m.vp.GotoTop()
	m.refresh()
}

// Pending returns the message SetPending named, "" once a message is
// shown.
func (m *Model) Pending() model.MessageID { return m.pending }

// Restyle draws the pane again with the current styles.
func (m *Model) Restyle() { m.refresh() }

// Message returns the message shown, or nil.
func (m *Model) Message() *model.Message { return m.msg }

// SetHeaders gives the pane the parsed Received chain of message id, or
// the error that prevented reading it.
func (m *Model) SetHeaders(id model.MessageID, hops []Hop, err error) {
	m.hopsFor, m.hops, m.hopsLoaded = id, hops, true
	m.hopsErr = ""
	if err != nil {
		m.hopsErr = err.Error()
	}
	m.refresh()
}

// NeedsHeaders reports whether the shown message's headers are not loaded.
func (m *Model) NeedsHeaders() bool {
	return m.msg != nil && (!m.hopsLoaded || m.hopsFor != m.msg.ID)
}

// ScrollDown scrolls the pane by n lines; negative n scrolls up.
func (m *Model) ScrollDown(n int) {
	if n < 0 {
		m.vp.ScrollUp(-n)
		return
	}
	m.vp.ScrollDown(n)
}

func (m *Model) refresh() {
	switch {
	case m.msg == nil && m.pendingErr != "":
		m.vp.SetContentLines(wrap([]string{m.com.Styles.Warn.Render(termtext.Sanitize(m.pendingErr))}, m.vp.Width()))
		return
	case m.msg == nil && m.pending != "":
		m.vp.SetContentLines(wrap([]string{m.com.Styles.Muted.Render("reading message " + termtext.Sanitize(string(m.pending)) + "…")}, m.vp.Width()))
		return
	case m.msg == nil:
		m.vp.SetContentLines([]string{m.com.Styles.Muted.Render("no message selected")})
		return
	}
	loaded := m.hopsLoaded && m.hopsFor == m.msg.ID
	var hops []Hop
	errText := ""
	if loaded {
		hops, errText = m.hops, m.hopsErr
	}
	m.vp.SetContentLines(wrap(content(&m.com.Styles, m.msg, m.now(), m.lookup, hops, errText, loaded), m.vp.Width()))
}

// now reads the injected clock.
func (m *Model) now() time.Time {
	if m.com.Now == nil {
		return time.Now()
	}
	return m.com.Now()
}

// contMark starts every continuation line in the detail pane: a margin,
// never part of the text.
const contMark = "    "

// wrap breaks lines longer than width at spaces (or anywhere, for a long
// word such as a Message-ID), starting each continuation with contMark.
// Nothing is put into the text: the pieces of a hard-wrapped token joined
// without their margins give the token back (defect 1 of issue 15).
func wrap(lines []string, width int) []string {
	if width <= 8 {
		return lines
	}
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		if termtext.Width(line) <= width {
			out = append(out, line)
			continue
		}
		parts := strings.Split(ansi.WrapWc(line, width-len(contMark), ""), "\n")
		out = append(out, parts[0])
		for _, p := range parts[1:] {
			out = append(out, contMark+p)
		}
	}
	return out
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.DetailDown, k.DetailUp, k.DetailGrow, k.DetailShrink, k.DetailSide, k.Detail}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View draws the pane.
func (m *Model) View() string { return m.vp.View() }
