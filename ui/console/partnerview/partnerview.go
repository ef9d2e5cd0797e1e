// Package partnerview is the console's partner inventory (I): per partner
// — the organizational domain of From — what enforcing the release rules
// would stop, as "mxaudit impact" prints it. The root model aggregates
// the messages (model.ImpactCounter) and hands the partners over; the
// view sorts them, moves a cursor over them and draws them. Enter shows
// the partner's messages, c checks its domain: the root acts on both.
package partnerview

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/common"
	"mxaudit/ui/termtext"
)

// Column is what the inventory is sorted by.
type Column int

// Sort columns, in the order s (next column) goes through them.
const (
	ByBlocked Column = iota
	ByMessages
	ByEncrypted
	ByRisky
	ByDMARCFail
	ByLastSeen
	ByDomain
	columns
)

var columnNames = [...]string{"blocked", "messages", "encrypted", "risky", "DMARC fail", "last seen", "domain"}

// String names the column for the header.
func (c Column) String() string { return columnNames[c] }

// Sort orders ps by col: numbers and dates most first, domains A to Z;
// reverse turns it round. Ties fall back to blocked, then domain, so the
// order is stable.
func Sort(ps []model.Partner, col Column, reverse bool) {
	slices.SortStableFunc(ps, func(a, b model.Partner) int {
		var c int
		switch col {
		case ByMessages:
			c = cmp.Compare(b.Messages, a.Messages)
		case ByEncrypted:
			c = cmp.Compare(b.Encrypted, a.Encrypted)
		case ByRisky:
			c = cmp.Compare(b.Risky, a.Risky)
		case ByDMARCFail:
			c = cmp.Compare(b.DMARCFail, a.DMARCFail)
		case ByLastSeen:
			c = b.LastSeen.Compare(a.LastSeen)
		case ByDomain:
			c = cmp.Compare(a.Domain, b.Domain)
		}
		if reverse {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(b.Blocked, a.Blocked), cmp.Compare(a.Domain, b.Domain))
	})
}

// Model is the partner inventory.
type Model struct {
	com      *common.Common
	vp       viewport.Model
	partners []model.Partner
	col      Column
	reverse  bool
	cursor   int
	running  bool
}

// New returns an empty inventory.
func New(com *common.Common) *Model {
	vp := viewport.New()
	vp.FillHeight = true
	return &Model{com: com, vp: vp}
}

// SetPartners shows ps; running says the scan was still adding messages
// when they were counted.
// The cursor stays on the partner it was on.
func (m *Model) SetPartners(ps []model.Partner, running bool) {
	var was string
	if p := m.Selected(); p != nil {
		was = p.Domain
	}
	m.partners, m.running = ps, running
	m.sortAndKeep(was)
}

func (m *Model) sortAndKeep(domain string) {
	Sort(m.partners, m.col, m.reverse)
	m.cursor = max(0, min(m.cursor, len(m.partners)-1))
	for i := range m.partners {
		if m.partners[i].Domain == domain {
			m.cursor = i
		}
	}
	m.refresh()
}

// Selected returns the partner under the cursor, or nil.
func (m *Model) Selected() *model.Partner {
	if m.cursor < 0 || m.cursor >= len(m.partners) {
		return nil
	}
	return &m.partners[m.cursor]
}

// SortColumn returns the column sorted by and whether it is reversed.
func (m *Model) SortColumn() (Column, bool) { return m.col, m.reverse }

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.vp.SetWidth(width)
	m.vp.SetHeight(height)
	m.refresh()
}

// Update moves the cursor, changes the sort, or scrolls.
func (m *Model) Update(msg tea.KeyPressMsg) {
	k := &m.com.Keys
	var was string
	if p := m.Selected(); p != nil {
		was = p.Domain
	}
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Home):
		m.move(-len(m.partners))
	case key.Matches(msg, k.End):
		m.move(len(m.partners))
	case key.Matches(msg, k.SortNext):
		m.col = (m.col + 1) % columns
		m.sortAndKeep(was)
	case key.Matches(msg, k.SortPrev):
		m.col = (m.col + columns - 1) % columns
		m.sortAndKeep(was)
	case key.Matches(msg, k.SortFlip):
		m.reverse = !m.reverse
		m.sortAndKeep(was)
	default:
		m.com.ScrollViewport(&m.vp, msg, false)
	}
}

func (m *Model) move(delta int) {
	m.cursor = max(0, min(len(m.partners)-1, m.cursor+delta))
	m.refresh()
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.com.Keys
	return []key.Binding{k.Down, k.SortNext, k.SortFlip, k.FilterSource, k.DomainCheck, k.Close}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := &m.com.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.SortNext, k.SortPrev, k.SortFlip, k.FilterSource, k.DomainCheck, k.Close}}
}

// View implements common.Component.
func (m *Model) View() string { return m.vp.View() }

// Column widths; the exception takes what is left.
const (
	wDomain  = 26
	wVerdict = 21
	wNum     = 7
	wDate    = 11
)

func (m *Model) refresh() {
	w := m.vp.Width()
	if w <= 0 {
		return
	}
	st := &m.com.Styles
	blocked, breaking := 0, 0
	for _, p := range m.partners {
		if p.VerdictIfEnforced == model.ImpactBlocked {
			breaking++
			blocked += p.Blocked
		}
	}
	order := m.col.String()
	if m.reverse {
		order += ", reversed"
	}
	head := fmt.Sprintf(" Partners: enforcing would stop %d messages from %d of %d partners (by %s)", blocked, breaking, len(m.partners), order)
	if m.running {
		head += " — scan running: reopen (I) for the latest"
	}
	lines := []string{st.Title.Render(termtext.Fit(head, w)), ""}
	lines = append(lines, st.Section.Render(row(w, "PARTNER", "IF ENFORCED", "BLOCKED", "MSGS", "ENC", "PW", "RISKY", "DMARC", "LAST SEEN", "EXCEPTION")))
	if len(m.partners) == 0 {
		lines = append(lines, "", " No messages.")
	}
	for i := range m.partners {
		p := &m.partners[i]
		dom := p.Domain
		if dom == "" {
			dom = "(no From domain)"
		}
		last, exc := "-", "-"
		if !p.LastSeen.IsZero() {
			last = p.LastSeen.UTC().Format(time.DateOnly)
		}
		if e := p.Exception; e != nil {
			exc = fmt.Sprintf("#%d until %s", e.ID, e.Expires.UTC().Format(time.DateOnly))
		}
		line := row(w, termtext.Sanitize(dom), string(p.VerdictIfEnforced), strconv.Itoa(p.Blocked), strconv.Itoa(p.Messages),
			strconv.Itoa(p.Encrypted), strconv.Itoa(p.WithPasswordMail), strconv.Itoa(p.Risky), strconv.Itoa(p.DMARCFail), last, exc)
		switch {
		case i == m.cursor:
			line = st.Selected.Render(termtext.Fit(line, w))
		case p.VerdictIfEnforced == model.ImpactBlocked:
			line = st.Bad.Render(line)
		case p.VerdictIfEnforced == model.ImpactAllowedByException:
			line = st.Warn.Render(line)
		}
		lines = append(lines, line)
	}
	m.vp.SetContentLines(lines)
	// Keep the cursor's row (after the three header lines) on screen.
	if line, h := m.cursor+3, m.vp.Height(); h > 0 && line >= m.vp.YOffset()+h {
		m.vp.SetYOffset(line - h + 1)
	} else if line < m.vp.YOffset() {
		m.vp.SetYOffset(line)
	}
}

// row lays out one table row in w columns.
func row(w int, domain, verdict string, nums ...string) string {
	var b strings.Builder
	b.WriteString(" " + termtext.Fit(domain, wDomain) + " " + termtext.Fit(verdict, wVerdict))
	for i, n := range nums {
		switch {
		case i < 6:
			b.WriteString(" " + termtext.FitRight(n, wNum))
		case i == 6:
			b.WriteString("  " + termtext.Fit(n, wDate))
		default:
			b.WriteString(" " + n)
		}
	}
	return termtext.Truncate(b.String(), w)
}
