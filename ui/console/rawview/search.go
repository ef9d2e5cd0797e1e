package rawview

import (
	"fmt"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Searching in a viewer, as in less: "/" types a word (case-insensitive),
// enter jumps to the first line holding it from the top of the screen,
// n and N go to the next and previous one, wrapping around.

// search is the viewer's search state.
type search struct {
	typing bool
	query  []rune
	hits   []int // lines holding the word
	at     int   // index in hits of the current one
}

// Searching reports whether a search word is being typed: the viewer
// then takes every key (esc ends the typing, not the viewer).
func (m *Model) Searching() bool { return m.search.typing }

// updateSearch handles the search keys and reports whether msg was one.
func (m *Model) updateSearch(msg tea.KeyPressMsg) bool {
	k := &m.com.Keys
	s := &m.search
	if s.typing {
		switch {
		case key.Matches(msg, k.Apply):
			s.typing = false
			m.find(m.vp.YOffset(), 1)
		case key.Matches(msg, k.Cancel):
			s.typing = false
		case key.Matches(msg, k.DeleteChar):
			if n := len(s.query); n > 0 {
				s.query = s.query[:n-1]
			}
		case key.Matches(msg, k.DeleteLine):
			s.query = nil
		default:
			for _, r := range msg.Text {
				if unicode.IsPrint(r) {
					s.query = append(s.query, r)
				}
			}
		}
		return true
	}
	switch {
	case key.Matches(msg, k.Search):
		s.typing, s.query = true, nil
	case key.Matches(msg, k.SearchNext) && len(s.query) > 0:
		m.step(1)
	case key.Matches(msg, k.SearchPrev) && len(s.query) > 0:
		m.step(-1)
	default:
		return false
	}
	return true
}

// find collects the lines holding the word and goes to the first one at
// or after line from (dir 1) or before it (dir -1).
func (m *Model) find(from, dir int) {
	s := &m.search
	s.hits = s.hits[:0]
	q := strings.ToLower(string(s.query))
	if q == "" {
		return
	}
	for i, l := range m.lines {
		if strings.Contains(strings.ToLower(ansi.Strip(l)), q) {
			s.hits = append(s.hits, i)
		}
	}
	if len(s.hits) == 0 {
		return
	}
	s.at = 0
	for i, h := range s.hits {
		if h >= from {
			s.at = i
			break
		}
	}
	if dir < 0 {
		s.at = (s.at - 1 + len(s.hits)) % len(s.hits)
	}
	m.vp.SetYOffset(s.hits[s.at])
}

// step goes to the next (1) or previous (-1) hit, wrapping around.
func (m *Model) step(dir int) {
	s := &m.search
	if len(s.hits) == 0 {
		m.find(0, 1)
		return
	}
	s.at = (s.at + dir + len(s.hits)) % len(s.hits)
	m.vp.SetYOffset(s.hits[s.at])
}

// searchStatus is the title's note on the search: "/word 3/10".
func (m *Model) searchStatus() string {
	s := &m.search
	switch {
	case s.typing:
		return " /" + string(s.query) + "▏"
	case len(s.query) == 0:
		return ""
	case len(s.hits) == 0:
		return fmt.Sprintf(" /%s not found", string(s.query))
	}
	return fmt.Sprintf(" /%s %d/%d", string(s.query), s.at+1, len(s.hits))
}
