package statsview

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"mxaudit/model"
	"mxaudit/ui/console/styles"
	"mxaudit/ui/termtext"
)

// The charts are block characters with every value printed beside its
// bar, so that they read the same without colour (NO_COLOR) and a
// colour only repeats what the label says.

// eighths are the partial blocks, from one eighth of a cell to seven.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// sparks are the levels of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// blocks draws v/scale of width cells in eighths of a cell; any value
// above zero gets at least an eighth, so that it never looks like none.
func blocks(v, scale, width int) string {
	if v <= 0 || scale <= 0 || width <= 0 {
		return ""
	}
	e := max(1, int(int64(v)*int64(width)*8/int64(scale)))
	return strings.Repeat("█", e/8) + eighths[e%8]
}

func percent(n, total int) string {
	if total == 0 {
		return "0.0%"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(total))
}

// barChart draws a titled chart of bars in width cells. With share set,
// each bar is its share of the total and shows a percentage; otherwise
// bars are scaled to the largest.
func barChart(st *styles.Styles, title string, bars []model.Bar, width int, share bool, colour func(string) lipgloss.Style) []string {
	lines := []string{st.Section.Render(title)}
	if len(bars) == 0 {
		return append(lines, st.Muted.Render("  (nothing)"))
	}
	total, top, labelW, countW := 0, 0, 1, 1
	for _, b := range bars {
		total += b.Count
		top = max(top, b.Count)
		labelW = max(labelW, min(termtext.Width(termtext.Sanitize(b.Label)), 26))
		countW = max(countW, len(strconv.Itoa(b.Count)))
	}
	scale := top
	if share {
		scale = total
	}
	fixed := 2 + labelW + 1 + 1 + countW
	if share {
		fixed += 7
	}
	barW := max(4, width-fixed)
	for _, b := range bars {
		bar := blocks(b.Count, scale, barW)
		line := "  " + termtext.Fit(termtext.Sanitize(b.Label), labelW) + " " +
			colour(b.Label).Render(bar) + strings.Repeat(" ", max(0, barW-termtext.Width(bar)))
		if share {
			line += " " + termtext.FitRight(percent(b.Count, total), 6)
		}
		line += " " + termtext.FitRight(strconv.Itoa(b.Count), countW)
		lines = append(lines, line)
	}
	return lines
}

// resultColour colours an authentication result's bar by its meaning.
func resultColour(st *styles.Styles) func(string) lipgloss.Style {
	return func(label string) lipgloss.Style {
		switch label {
		case "pass", "none (policy)":
			return st.Good
		case "fail", "reject", "permerror":
			return st.Bad
		case "softfail", "neutral", "temperror", "quarantine", "policy":
			return st.Warn
		}
		return st.Muted
	}
}

// series draws one sparkline per measure over the buckets of s, each
// with its total and peak, adding neighbouring buckets together when
// there are more than the width holds.
func series(st *styles.Styles, s model.Series, width int) []string {
	if len(s.Points) == 0 {
		return []string{st.Section.Render("Over time"), st.Muted.Render("  (no dated messages)")}
	}
	rows := []struct {
		label string
		style lipgloss.Style
		get   func(model.Point) int
	}{
		{"messages", st.Info, func(p model.Point) int { return p.Messages }},
		{"encrypted", st.Severe, func(p model.Point) int { return p.Encrypted }},
		{"risky", st.Bad, func(p model.Point) int { return p.Risky }},
		{"ppap pairs", st.Warn, func(p model.Point) int { return p.PPAPPairs }},
	}
	const tail = " total 000000 peak 00000"
	avail := max(4, width-2-10-1-len(tail))
	per := (len(s.Points) + avail - 1) / avail
	first, last := s.Points[0].Start, s.Points[len(s.Points)-1].Start
	title := fmt.Sprintf("Over time, per %s: %s – %s", s.Unit, first.Format("2006-01-02"), last.Format("2006-01-02"))
	if per > 1 {
		title += fmt.Sprintf(" (a column = %d %ss)", per, s.Unit)
	}
	lines := []string{st.Section.Render(title)}
	for _, r := range rows {
		var cols []int
		total, peak := 0, 0
		for i := 0; i < len(s.Points); i += per {
			sum := 0
			for _, p := range s.Points[i:min(i+per, len(s.Points))] {
				sum += r.get(p)
			}
			cols = append(cols, sum)
			total += sum
			peak = max(peak, sum)
		}
		var b strings.Builder
		for _, v := range cols {
			if v <= 0 || peak <= 0 {
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(sparks[(v*len(sparks)+peak-1)/peak-1])
		}
		spark := b.String()
		lines = append(lines, "  "+termtext.Fit(r.label, 10)+" "+r.style.Render(spark)+
			strings.Repeat(" ", max(0, avail-len(cols)))+fmt.Sprintf(" total %6d peak %5d", total, peak))
	}
	return lines
}
