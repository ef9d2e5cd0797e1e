// Package rawview is the full-screen viewer for a message's headers or
// raw source, with every control character made visible.
package rawview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/console/keys"
	"mxaudit/ui/termtext"
)

// Kind says what the viewer shows.
type Kind int

// What a viewer can show.
const (
	Headers Kind = iota // the header section only
	Source              // the whole raw message
	Log                 // the console's message log
	Body                // the decoded body and the attachment list
)

// Model is the viewer.
type Model struct {
	com     *common.Common
	vp      viewport.Model
	kind    Kind
	id      model.MessageID
	title   string
	loading bool
	errText string
	width   int
	height  int
	// lines are the content, kept for the search (search.go).
	lines  []string
	search search
	// raw is the loaded text; decoded says the header viewer shows the
	// values decoded (ToggleDecoded).
	raw       []byte
	truncated bool
	decoded   bool
}

// New returns a viewer for message id that is waiting for its content.
func New(com *common.Common, kind Kind, id model.MessageID, subject string) *Model {
	vp := viewport.New()
	vp.FillHeight = true
	vp.SetHorizontalStep(8)
	what := "Raw source"
	switch kind {
	case Headers:
		what = "Headers"
	case Body:
		what = "Body"
	}
	return &Model{com: com, vp: vp, kind: kind, id: id, loading: true,
		title: what + ": " + termtext.Sanitize(subject)}
}

// NewText returns a viewer of ready lines (already sanitised), such as
// the message log.
func NewText(com *common.Common, kind Kind, title string, lines []string) *Model {
	m := New(com, kind, "", "")
	m.title, m.loading = title, false
	m.lines = lines
	m.vp.SetContentLines(lines)
	return m
}

// ToggleDecoded switches the header viewer between the header values as
// they are in the message and decoded by decode (RFC 2047, Japanese
// charsets); every line is sanitised either way.
func (m *Model) ToggleDecoded(decode func([]byte) string) {
	if m.kind != Headers || m.loading || m.errText != "" {
		return
	}
	m.decoded = !m.decoded
	text := string(m.raw)
	if m.decoded {
		text = decode(m.raw)
	}
	m.lines = termtext.SanitizeLines(text)
	m.vp.SetContentLines(m.lines)
	if m.decoded {
		m.title = strings.Replace(m.title, "Headers: ", "Headers (decoded): ", 1)
	} else {
		m.title = strings.Replace(m.title, "Headers (decoded): ", "Headers: ", 1)
	}
}

// End scrolls to the last line.
func (m *Model) End() { m.vp.GotoBottom() }

// ID returns the message the viewer shows.
func (m *Model) ID() model.MessageID { return m.id }

// Kind returns what the viewer shows.
func (m *Model) Kind() Kind { return m.kind }

// SetContent gives the viewer the loaded bytes (or the error). truncated
// says the message was cut at the size limit.
func (m *Model) SetContent(raw []byte, truncated bool, err error) {
	m.loading = false
	if err != nil {
		m.errText = err.Error()
		return
	}
	m.raw, m.truncated = raw, truncated
	lines := termtext.SanitizeLines(string(raw))
	if truncated {
		lines = append(lines, m.com.Styles.Muted.Render(fmt.Sprintf("(cut at %d bytes)", len(raw))))
	}
	m.lines = lines
	m.vp.SetContentLines(lines)
}

// SetSize sets the viewer's size in cells, its title line included.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.vp.SetWidth(width)
	m.vp.SetHeight(max(0, height-1))
}

// Update scrolls on the viewer's keys and reports whether the key was one.
func (m *Model) Update(msg tea.KeyPressMsg) bool {
	if m.updateSearch(msg) {
		return true
	}
	return m.com.ScrollViewport(&m.vp, msg, true)
}

// Scroll scrolls by delta lines, for the mouse wheel.
func (m *Model) Scroll(delta int) {
	if delta < 0 {
		m.vp.ScrollUp(-delta)
	} else {
		m.vp.ScrollDown(delta)
	}
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding { return keys.ViewerHelp{KeyMap: &m.com.Keys}.ShortHelp() }

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return keys.ViewerHelp{KeyMap: &m.com.Keys}.FullHelp() }

// View draws the title line and the text.
func (m *Model) View() string {
	st := &m.com.Styles
	pos := ""
	if !m.loading && m.errText == "" {
		pos = termtext.Sanitize(m.searchStatus()) + fmt.Sprintf(" line %d/%d", min(m.vp.YOffset()+1, m.vp.TotalLineCount()), m.vp.TotalLineCount())
	}
	title := termtext.Truncate(m.title, max(0, m.width-termtext.Width(pos)))
	head := st.Title.Render(termtext.Fit(title, m.width-termtext.Width(pos)) + pos)
	var body string
	switch {
	case m.loading:
		body = st.Muted.Render("loading…")
	case m.errText != "":
		body = st.ErrorText.Render("cannot read the message: ") + termtext.Sanitize(m.errText)
	default:
		return head + "\n" + m.vp.View()
	}
	return head + "\n" + padLines(body, m.width, m.height-1)
}

// padLines fills the rest of the viewer with blank lines so that the
// frame keeps its height.
func padLines(first string, width, height int) string {
	out := termtext.Truncate(first, width)
	for i := 1; i < height; i++ {
		out += "\n"
	}
	return out
}
