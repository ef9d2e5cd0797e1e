package list

import (
	"slices"
	"testing"

	"mxaudit/model"
)

func TestLayout(t *testing.T) {
	all := []model.Column{model.ColumnMarker, model.ColumnDate, model.ColumnFrom, model.ColumnDomain,
		model.ColumnSubject, model.ColumnSize, model.ColumnAttachment, model.ColumnSPF, model.ColumnDKIM,
		model.ColumnDMARC, model.ColumnException}
	tests := []struct {
		width   int
		compact bool
		cols    []model.Column
	}{
		{160, false, all},
		{133, false, all},
		{132, true, all},
		{120, true, all},
		{80, true, all},
		// Narrower: the exception column goes first, then size, domain,
		// date, SPF and DKIM. (The compact attachment column is five
		// cells wide, for the PPAP badges "E>RSK".)
		{58, true, []model.Column{model.ColumnMarker, model.ColumnDate, model.ColumnFrom, model.ColumnDomain,
			model.ColumnSubject, model.ColumnSize, model.ColumnAttachment, model.ColumnSPF, model.ColumnDKIM, model.ColumnDMARC}},
		{43, true, []model.Column{model.ColumnMarker, model.ColumnDate, model.ColumnFrom,
			model.ColumnSubject, model.ColumnAttachment, model.ColumnSPF, model.ColumnDKIM, model.ColumnDMARC}},
		{32, true, []model.Column{model.ColumnMarker, model.ColumnFrom, model.ColumnSubject, model.ColumnAttachment, model.ColumnDMARC}},
		{12, true, []model.Column{model.ColumnMarker, model.ColumnSubject}},
	}
	for _, tt := range tests {
		l := newLayout(tt.width)
		var got []model.Column
		end := 0
		for i, c := range l.cols {
			got = append(got, c.col)
			if i > 0 && c.x != end+1 {
				t.Errorf("width %d: column %v at %d, want %d", tt.width, c.col, c.x, end+1)
			}
			end = c.x + c.width
		}
		if !slices.Equal(got, tt.cols) {
			t.Errorf("width %d: columns %v, want %v", tt.width, got, tt.cols)
		}
		if l.compact != tt.compact {
			t.Errorf("width %d: compact %v", tt.width, l.compact)
		}
		if end != tt.width {
			t.Errorf("width %d: columns end at %d", tt.width, end)
		}
	}
}

func TestColumnAt(t *testing.T) {
	l := newLayout(80)
	for _, c := range l.cols {
		for x := c.x; x < c.x+c.width; x++ {
			if got, ok := l.columnAt(x); !ok || got != c.col {
				t.Fatalf("x=%d gives %v,%v want %v", x, got, ok, c.col)
			}
		}
		if c.x > 0 {
			if _, ok := l.columnAt(c.x - 1); ok {
				t.Fatalf("the gap before %v is a column", c.col)
			}
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := map[int64]string{0: "0", 512: "512", 1023: "1023", 1024: "1.0K", 48213: "47K", 3_500_000: "3.3M", 5 << 30: "5.0G"}
	for n, want := range tests {
		if got := FormatSize(n); got != want || len(got) > 5 {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
