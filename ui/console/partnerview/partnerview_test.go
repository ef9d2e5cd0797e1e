package partnerview

import (
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

func TestSort(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	ps := []model.Partner{
		{Domain: "a.example", Blocked: 1, Messages: 9, Encrypted: 1, LastSeen: day(3)},
		{Domain: "b.example", Blocked: 5, Messages: 5, Risky: 2, LastSeen: day(1)},
		{Domain: "c.example", Blocked: 1, Messages: 2, DMARCFail: 3, LastSeen: day(2)},
	}
	tests := []struct {
		col     Column
		reverse bool
		want    []string
	}{
		{ByBlocked, false, []string{"b.example", "a.example", "c.example"}},
		{ByMessages, false, []string{"a.example", "b.example", "c.example"}},
		{ByMessages, true, []string{"c.example", "b.example", "a.example"}},
		{ByEncrypted, false, []string{"a.example", "b.example", "c.example"}},
		{ByRisky, false, []string{"b.example", "a.example", "c.example"}},
		{ByDMARCFail, false, []string{"c.example", "b.example", "a.example"}},
		{ByLastSeen, false, []string{"a.example", "c.example", "b.example"}},
		{ByDomain, true, []string{"c.example", "b.example", "a.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.col.String(), func(t *testing.T) {
			got := slices.Clone(ps)
			Sort(got, tt.col, tt.reverse)
			var names []string
			for _, p := range got {
				names = append(names, p.Domain)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("Sort(%s, %v) = %v, want %v", tt.col, tt.reverse, names, tt.want)
			}
		})
	}
}
