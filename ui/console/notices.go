package console

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/rawview"
	"mxaudit/ui/termtext"
)

// Status notices (defect 4 of issue 15): the status line shows the last
// notice wrapped over up to maxStatusLines lines; the next key press or
// noticeTTL (errors: twice as long) clears it; every notice is also kept,
// with its time, in the message log that "!" opens.

const (
	noticeTTL      = 6 * time.Second
	maxStatusLines = 3
	maxLogEntries  = 500
)

// notice is a sentence for the status line; bad ones are drawn as errors.
type notice struct {
	text string
	bad  bool
	seq  int // numbers the notices, so that a late expiry is ignored
}

// logEntry is one notice in the message log.
type logEntry struct {
	at   time.Time
	text string
	bad  bool
}

// noticeExpireMsg clears notice seq if it is still shown.
type noticeExpireMsg struct{ seq int }

// setNotice shows text on the status line and logs it.
func (m *Model) setNotice(text string, bad bool) {
	m.noticeSeq++
	m.notice = notice{text: text, bad: bad, seq: m.noticeSeq}
	if text == "" {
		return
	}
	m.log = append(m.log, logEntry{at: m.com.Now(), text: text, bad: bad})
	if len(m.log) > maxLogEntries {
		m.log = m.log[len(m.log)-maxLogEntries:]
	}
}

// clearNotice empties the status line.
func (m *Model) clearNotice() { m.notice = notice{} }

// noticeChanged is called after every message: a notice that appeared
// gets its expiry timer, and the layout follows the status line's
// height.
func (m *Model) noticeChanged() tea.Cmd {
	if m.notice.seq == m.noticeTimed && m.statusHeight == m.statusLinesWanted() {
		return nil
	}
	var cmd tea.Cmd
	if m.notice.text != "" && m.notice.seq != m.noticeTimed {
		m.noticeTimed = m.notice.seq
		ttl, seq := m.cfg.NoticeTTL, m.notice.seq
		if ttl == 0 {
			ttl = noticeTTL
		}
		if m.notice.bad {
			ttl *= 2
		}
		if ttl > 0 {
			cmd = tea.Tick(ttl, func(time.Time) tea.Msg { return noticeExpireMsg{seq: seq} })
		}
	}
	if m.statusHeight != m.statusLinesWanted() {
		m.relayout()
	}
	return cmd
}

// statusLinesWanted is how many lines the status line needs now.
func (m *Model) statusLinesWanted() int {
	if m.notice.text == "" || m.action.running || m.com.Width <= 0 {
		return 1
	}
	return len(m.noticeLines(m.com.Width))
}

// noticeLines wraps the notice to w cells, at most maxStatusLines lines
// (the last cut with "…", the whole text is in the log).
func (m *Model) noticeLines(w int) []string {
	lines := termtext.WrapWords(" "+termtext.Sanitize(m.notice.text), max(10, w-1))
	limit := max(1, min(maxStatusLines, m.com.Height-4))
	if len(lines) > limit {
		lines = lines[:limit]
		lines[limit-1] = termtext.Truncate(lines[limit-1]+" …", w)
		if termtext.Width(lines[limit-1]) >= w {
			lines[limit-1] = termtext.Truncate(lines[limit-1], w-1) + "…"
		}
	}
	for i := 1; i < len(lines); i++ {
		lines[i] = " " + lines[i]
	}
	return lines
}

// openLog shows the message log, newest last.
func (m *Model) openLog() {
	lines := make([]string, 0, len(m.log)+1)
	if len(m.log) == 0 {
		lines = append(lines, m.com.Styles.Muted.Render("no messages yet"))
	}
	const stampWidth = 9 // "15:04:05 "
	for _, e := range m.log {
		stamp := e.at.Format("15:04:05 ")
		for _, l := range termtext.WrapWords(termtext.Sanitize(e.text), max(10, m.com.Width-stampWidth)) {
			if e.bad {
				l = m.com.Styles.ErrorText.Render(l)
			}
			lines = append(lines, stamp+l)
			stamp = strings.Repeat(" ", stampWidth)
		}
	}
	v := rawview.NewText(m.com, rawview.Log, "Message log ("+plural(len(m.log), "message")+")", lines)
	m.show(screenViewer)
	m.viewer = v
	m.relayout()
	v.End()
}

// plural says "1 message", "2 messages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// statusBlock draws the status line, or the wrapped notice.
func (m *Model) statusBlock(w int) []string {
	if m.statusHeight <= 1 || m.notice.text == "" || m.action.running {
		return fitLines(m.statusLine(w), w, m.statusHeight)
	}
	style := m.com.Styles.Status
	if m.notice.bad {
		style = m.com.Styles.ErrorText
	}
	out := make([]string, 0, m.statusHeight)
	for _, l := range fitLines(strings.Join(m.noticeLines(w), "\n"), w, m.statusHeight) {
		out = append(out, style.Render(l))
	}
	return out
}
