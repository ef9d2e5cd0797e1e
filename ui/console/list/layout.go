package list

import "mxaudit/model"

// colSpec describes how one column is laid out.
type colSpec struct {
	col        model.Column
	title      string // in the wide layout
	short      string // in the compact layout
	compact    int    // width in the compact layout (the minimum for flex columns)
	wide       int    // width in the wide layout (the maximum for flex columns)
	flex       bool   // takes a share of the spare width
	weight     int    // share of the spare width
	hide       int    // hidden before columns with a lower number; 0 never
	alignRight bool
}

// specs lists the columns in display order.
var specs = [model.NumColumns]colSpec{
	{col: model.ColumnMarker, title: "!", short: "!", compact: 1, wide: 1},
	{col: model.ColumnDate, title: "Date", short: "Date", compact: 7, wide: 17, hide: 4},
	{col: model.ColumnFrom, title: "From", short: "From", compact: 8, wide: 26, flex: true, weight: 2},
	{col: model.ColumnDomain, title: "Domain", short: "Domain", compact: 8, wide: 24, flex: true, weight: 1, hide: 5},
	{col: model.ColumnSubject, title: "Subject", short: "Subject", compact: 10, wide: 1 << 20, flex: true, weight: 3},
	{col: model.ColumnSize, title: "Size", short: "Size", compact: 5, wide: 6, hide: 6, alignRight: true},
	{col: model.ColumnAttachment, title: "Attachment", short: "Att", compact: 5, wide: 10},
	{col: model.ColumnSPF, title: "SPF", short: "S", compact: 1, wide: 5, hide: 3},
	{col: model.ColumnDKIM, title: "DKIM", short: "K", compact: 1, wide: 5, hide: 2},
	{col: model.ColumnDMARC, title: "DMARC", short: "DMA", compact: 3, wide: 9, hide: 1},
	{col: model.ColumnException, title: "Exc", short: "X", compact: 1, wide: 4, hide: 7},
}

// placed is one visible column with its position on the line.
type placed struct {
	colSpec
	x, width int
}

// layout is the set of visible columns for one terminal width.
type layout struct {
	cols    []placed
	compact bool
}

// wideSpare is the spare width the text columns must get on top of their
// minimums for the wide layout to be chosen.
const wideSpare = 40

// newLayout fits the columns into width cells, one space between
// columns: the wide layout when everything fits, else the compact one;
// then columns are hidden, least important first, until the rest fit; the
// spare width goes to the flexible columns by weight.
func newLayout(width int) layout {
	visible := append([]colSpec(nil), specs[:]...)
	// The wide layout spends cells on full dates and words; it is worth it
	// only when the text columns still get a fair share of the width.
	if need(visible, false)+wideSpare <= width {
		return place(visible, false, width)
	}
	for len(visible) > 1 && need(visible, true) > width {
		visible = dropLeastImportant(visible)
	}
	return place(visible, true, width)
}

// need is the width the columns take at their minimum.
func need(cols []colSpec, compact bool) int {
	n := len(cols) - 1 // separators
	for _, c := range cols {
		n += minWidth(c, compact)
	}
	return n
}

func minWidth(c colSpec, compact bool) int {
	if c.flex || compact {
		return c.compact
	}
	return c.wide
}

// dropLeastImportant removes the column with the highest hide number;
// when only never-hidden columns remain, it keeps the marker and the
// subject alone.
func dropLeastImportant(cols []colSpec) []colSpec {
	worst, at := 0, -1
	for i, c := range cols {
		if c.hide > worst {
			worst, at = c.hide, i
		}
	}
	if at < 0 {
		// Only unhideable columns are left and they still do not fit: the
		// terminal is tiny. Keep the marker and the subject.
		keep := cols[:0]
		for _, c := range cols {
			if c.col == model.ColumnMarker || c.col == model.ColumnSubject {
				keep = append(keep, c)
			}
		}
		if len(keep) == len(cols) {
			return cols[:1]
		}
		return keep
	}
	return append(cols[:at], cols[at+1:]...)
}

func place(cols []colSpec, compact bool, width int) layout {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = minWidth(c, compact)
	}
	spare := width - need(cols, compact)
	// Hand out the spare width in rounds by weight, respecting each flexible
	// column's maximum; whatever is left goes to the subject.
	for spare > 0 {
		given := 0
		for i, c := range cols {
			if !c.flex || widths[i] >= c.wide {
				continue
			}
			n := min(c.weight, spare, c.wide-widths[i])
			widths[i] += n
			spare -= n
			given += n
		}
		if given == 0 {
			break
		}
	}
	l := layout{compact: compact}
	x := 0
	for i, c := range cols {
		w := widths[i]
		if x+w > width {
			w = max(0, width-x)
		}
		l.cols = append(l.cols, placed{colSpec: c, x: x, width: w})
		x += w + 1
	}
	return l
}

// columnAt returns the column drawn at cell x, and false between columns.
func (l layout) columnAt(x int) (model.Column, bool) {
	for _, c := range l.cols {
		if x >= c.x && x < c.x+c.width {
			return c.col, true
		}
	}
	return 0, false
}
