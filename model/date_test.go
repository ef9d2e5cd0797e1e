package model

import (
	"testing"
	"time"
)

func TestDateSuspect(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d    time.Time
		want bool
	}{
		{time.Time{}, false},
		{now, false},
		{now.Add(23 * time.Hour), false},
		{now.Add(25 * time.Hour), true},
		{time.Date(3609, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := DateSuspect(c.d, now); got != c.want {
			t.Errorf("DateSuspect(%v) = %v", c.d, got)
		}
	}
}

// TestStatsKeepSuspectDatesOutOfTheChart is defect 5 of issue 15: one
// message dated 3609 must not stretch the chart; it is counted instead,
// and so are the messages dated by their delivery.
func TestStatsKeepSuspectDatesOutOfTheChart(t *testing.T) {
	c := NewStatsCounter()
	c.Now = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	c.Add(&Message{Date: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)})
	c.Add(&Message{Date: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), DateSource: DateDelivered})
	c.Add(&Message{Date: time.Date(3609, 1, 1, 0, 0, 0, 0, time.UTC)})
	c.Add(&Message{})
	s := c.Stats()
	if s.SuspectDates != 1 || s.Delivered != 1 || s.Undated != 1 {
		t.Fatalf("suspect %d, delivered %d, undated %d", s.SuspectDates, s.Delivered, s.Undated)
	}
	for _, p := range s.Series.Points {
		if p.Start.Year() > 2026 {
			t.Fatalf("the chart reaches %v", p.Start)
		}
	}
}
