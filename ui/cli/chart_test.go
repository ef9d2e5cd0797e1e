package cli

import (
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

func TestBlocks(t *testing.T) {
	tests := []struct {
		v, scale, width int
		want            string
	}{
		{0, 10, 8, ""},
		{10, 10, 8, "████████"},
		{5, 10, 8, "████"},
		{1, 16, 8, "▌"},             // half a cell
		{1, 1000, 8, "▏"},           // rounds to nothing: still one eighth
		{3, 0, 8, ""},               // nothing to scale by
		{7, 10, 3, "██"},            // 2.1 cells: 16.8 eighths, floored
		{1 << 40, 1 << 40, 2, "██"}, // no overflow
	}
	for _, tt := range tests {
		if got := blocks(tt.v, tt.scale, tt.width); got != tt.want {
			t.Errorf("blocks(%d, %d, %d) = %q, want %q", tt.v, tt.scale, tt.width, got, tt.want)
		}
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]int{0, 1, 4, 8}, 8); got != " ▁▄█" {
		t.Errorf("sparkline = %q", got)
	}
	if got := group([]int{1, 2, 3, 4, 5}, 2); len(got) != 3 || got[0] != 3 || got[2] != 5 {
		t.Errorf("group = %v", got)
	}
}

// TestSparklinesGrouped checks that a series longer than the width is
// folded into fewer columns and says so.
func TestSparklinesGrouped(t *testing.T) {
	var pts []model.Point
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		pts = append(pts, model.Point{Start: start.AddDate(0, 0, i), Messages: 1})
	}
	out := renderSparklines("Messages", model.Series{Unit: "day", Points: pts}, 80)
	if !strings.Contains(out, "(one column = 3 days)") {
		t.Errorf("no grouping note:\n%s", out)
	}
	if !strings.Contains(out, "total     100") {
		t.Errorf("total lost in grouping:\n%s", out)
	}
	if got := renderSparklines("Messages", model.Series{Unit: "day"}, 80); !strings.Contains(got, "no dated messages") {
		t.Errorf("empty series: %q", got)
	}
}
