package reportsview

// Reverse names. The view does not resolve: the root model asks it which
// addresses on screen still want a name (NamesToLookUp), looks them up in
// a command and hands the answers back (SetNames). Only the sources drawn
// in the visible part of the view are asked for, each once per summary.

// NamesToLookUp returns the addresses of the failing sources now on
// screen that have not been asked for since the summary was set, and
// counts them as asked for.
func (m *Model) NamesToLookUp() []string {
	top, h := m.vp.YOffset(), m.vp.Height()
	if m.loading || h <= 0 {
		return nil
	}
	if m.asked == nil {
		m.asked = make(map[string]bool)
	}
	var out []string
	for i, line := range m.lineOf {
		ip := m.sources[i].IP
		if line < top || line >= top+h || m.asked[ip] {
			continue
		}
		m.asked[ip] = true
		out = append(out, ip)
	}
	return out
}

// SetNames fills in the reverse names of the addresses in names (an
// address without a name is left out or empty) on every source drawn for
// it, and redraws.
func (m *Model) SetNames(names map[string]string) {
	changed := false
	for _, s := range m.sources {
		if n := names[s.IP]; n != "" && s.ReverseDNS != n {
			s.ReverseDNS, changed = n, true
		}
	}
	if changed {
		m.refresh()
	}
}
