package cli

import (
	"fmt"
	"strconv"
	"strings"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// The charts of "mxaudit stats" and "mxaudit reports" are plain text:
// bars drawn with block characters and every value printed beside its bar,
// so they read the same with NO_COLOR, in a pipe and in 80 columns.

// eighths are the partial blocks, from one eighth of a cell to a full one.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// sparks are the levels of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// Chart layout limits.
const (
	chartMinWidth  = 40
	chartMaxLabel  = 28
	chartMinBar    = 8
	chartIndent    = "  "
	chartPctWidth  = 6 // "100.0%"
	chartSparkName = 10
)

// barChart is a titled list of horizontal bars.
type barChart struct {
	title string
	bars  []model.Bar
	// percent prints each bar's share of the total and scales the bars to
	// the total, so that bars of one chart add up to the full width;
	// otherwise bars are scaled to the largest value.
	percent bool
}

// render draws the chart in width columns (at least chartMinWidth).
func (c barChart) render(width int) string {
	width = max(width, chartMinWidth)
	var b strings.Builder
	b.WriteString(c.title + "\n")
	if len(c.bars) == 0 {
		b.WriteString(chartIndent + "(nothing)\n")
		return b.String()
	}
	total, top, labelW, countW := 0, 0, 1, 1
	labels := make([]string, len(c.bars))
	for i, bar := range c.bars {
		total += bar.Count
		top = max(top, bar.Count)
		labels[i] = termtext.Sanitize(bar.Label)
		labelW = max(labelW, min(termtext.Width(labels[i]), chartMaxLabel))
		countW = max(countW, len(strconv.Itoa(bar.Count)))
	}
	scale := top
	if c.percent {
		scale = total
	}
	fixed := len(chartIndent) + labelW + 2 + 1 + countW
	if c.percent {
		fixed += chartPctWidth + 1
	}
	barW := max(width-fixed, chartMinBar)
	for i, bar := range c.bars {
		b.WriteString(chartIndent)
		b.WriteString(termtext.Fit(labels[i], labelW))
		b.WriteString("  ")
		b.WriteString(padRight(blocks(bar.Count, scale, barW), barW))
		if c.percent {
			b.WriteString(" " + termtext.FitRight(percent(bar.Count, total), chartPctWidth))
		}
		b.WriteString(" " + termtext.FitRight(strconv.Itoa(bar.Count), countW))
		b.WriteString("\n")
	}
	return b.String()
}

// blocks draws v/scale of width cells in eighths of a cell; a value that
// is not zero gets at least one eighth, so that it never looks like none.
func blocks(v, scale, width int) string {
	if v <= 0 || scale <= 0 {
		return ""
	}
	e := int(int64(v) * int64(width) * 8 / int64(scale))
	e = max(e, 1)
	return strings.Repeat("█", e/8) + eighths[e%8]
}

// padRight pads s, made of one-column runes, to width columns.
func padRight(s string, width int) string {
	if n := width - termtext.Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// percent formats n/total as "62.5%".
func percent(n, total int) string {
	if total == 0 {
		return "0.0%"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(total))
}

// sparkRow is one line of a sparkline chart.
type sparkRow struct {
	label  string
	values []int
}

// renderSparklines draws one sparkline per row over the buckets of s, with
// each row's total and peak. When the series has more buckets than the
// width holds, neighbouring buckets are added together and the title says
// how many each column holds.
func renderSparklines(title string, s model.Series, width int) string {
	width = max(width, chartMinWidth)
	rows := []sparkRow{{label: "messages"}, {label: "encrypted"}, {label: "risky"}, {label: "ppap pairs"}}
	for _, p := range s.Points {
		rows[0].values = append(rows[0].values, p.Messages)
		rows[1].values = append(rows[1].values, p.Encrypted)
		rows[2].values = append(rows[2].values, p.Risky)
		rows[3].values = append(rows[3].values, p.PPAPPairs)
	}
	var b strings.Builder
	if len(s.Points) == 0 {
		b.WriteString(title + "\n" + chartIndent + "(no dated messages)\n")
		return b.String()
	}
	const stats = "  total 0000000  peak 0000000"
	avail := max(width-len(chartIndent)-chartSparkName-1-len(stats), chartMinBar)
	per := (len(s.Points) + avail - 1) / avail
	first, last := s.Points[0].Start, s.Points[len(s.Points)-1].Start
	span := fmt.Sprintf("%s, %s – %s", s.Unit, first.Format("2006-01-02"), last.Format("2006-01-02"))
	if per > 1 {
		span += fmt.Sprintf(" (one column = %d %ss)", per, s.Unit)
	}
	b.WriteString(title + " per " + span + "\n")
	for _, r := range rows {
		cols := group(r.values, per)
		total, peak := 0, 0
		for _, v := range r.values {
			total += v
		}
		for _, v := range cols {
			peak = max(peak, v)
		}
		b.WriteString(chartIndent + termtext.Fit(r.label, chartSparkName) + " ")
		b.WriteString(padRight(sparkline(cols, peak), avail))
		fmt.Fprintf(&b, "  total %7d  peak %7d\n", total, peak)
	}
	return b.String()
}

// group adds up each run of per values.
func group(values []int, per int) []int {
	out := make([]int, 0, (len(values)+per-1)/per)
	for i := 0; i < len(values); i += per {
		sum := 0
		for _, v := range values[i:min(i+per, len(values))] {
			sum += v
		}
		out = append(out, sum)
	}
	return out
}

// sparkline draws one character per value: a space for zero, else one of
// eight levels of peak, the lowest for any value above zero.
func sparkline(values []int, peak int) string {
	var b strings.Builder
	for _, v := range values {
		if v <= 0 || peak <= 0 {
			b.WriteByte(' ')
			continue
		}
		level := (v*len(sparks) + peak - 1) / peak // ceil, 1..8
		b.WriteRune(sparks[level-1])
	}
	return b.String()
}
