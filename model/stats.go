package model

import (
	"cmp"
	"slices"
	"time"
)

// TopFailingDomains is how many From domains failing DMARC Stats ranks.
const TopFailingDomains = 20

// maxSeriesPoints bounds the time series: the bucket grows from a day to a
// week, a month or a year until the span fits, so that a forged Date of
// 1970 cannot make a series of 20,000 days.
const maxSeriesPoints = 120

// Stats sums up a set of messages for the statistics view and
// "mxaudit stats": shares of authentication results, the dispositions
// DMARC policies ask for, encrypted and risky attachments over time, and
// the From domains that fail DMARC most. It is a plain value, safe to
// hand to another goroutine.
type Stats struct {
	Messages int          `json:"messages"`
	SPF      ResultCounts `json:"spf"`
	DKIM     ResultCounts `json:"dkim"`
	DMARC    ResultCounts `json:"dmarc"`
	// Dispositions counts what the From domain's DMARC policy asks for
	// each message (after pct= and sp=); NoPolicy the messages whose From
	// domain publishes none, Unchecked those analysed without
	// authentication.
	Dispositions DispositionCounts `json:"dispositions"`
	// Encrypted counts messages carrying an encrypted archive, Risky
	// those with a risky file, PPAPPairs those whose encrypted archive
	// was opened with a password found in another (or the same) message.
	Encrypted int `json:"encrypted"`
	Risky     int `json:"risky"`
	PPAPPairs int `json:"ppap_pairs"`
	// Series spreads the messages over time by their Date; Undated
	// counts those without one.
	Series  Series `json:"series"`
	Undated int    `json:"undated"`
	// SuspectDates counts the messages whose Date is implausible
	// (DateSuspect): they are not in Series either. Delivered counts
	// those dated by their delivery because they have no Date header.
	SuspectDates int `json:"suspect_dates"`
	Delivered    int `json:"date_from_delivery"`
	// FailingDomains are the TopFailingDomains From domains with the most
	// messages failing DMARC, most first.
	FailingDomains []DomainCount `json:"failing_domains"`
}

// ResultCounts counts messages per authentication result. For DKIM a
// message counts once, with the result DKIMSummary gives it.
type ResultCounts struct {
	Pass      int `json:"pass"`
	Fail      int `json:"fail"`
	SoftFail  int `json:"softfail"`
	Neutral   int `json:"neutral"`
	None      int `json:"none"`
	TempError int `json:"temperror"`
	PermError int `json:"permerror"`
	Policy    int `json:"policy"`
	// Unchecked counts messages analysed without authentication, or
	// whose result could not be told (no envelope sender and no trusted
	// header giving one).
	Unchecked int `json:"unchecked"`
}

// Bar is one labelled count of a chart.
type Bar struct {
	Label string
	Count int
}

// Bars returns the counts in a fixed order, best result first, for a bar
// chart. Results no message has are left out, except pass and fail.
func (c ResultCounts) Bars() []Bar {
	all := []Bar{
		{"pass", c.Pass}, {"fail", c.Fail}, {"softfail", c.SoftFail},
		{"neutral", c.Neutral}, {"none", c.None}, {"temperror", c.TempError},
		{"permerror", c.PermError}, {"policy", c.Policy}, {"unchecked", c.Unchecked},
	}
	return slices.DeleteFunc(all, func(b Bar) bool {
		return b.Count == 0 && b.Label != "pass" && b.Label != "fail"
	})
}

func (c *ResultCounts) add(r Result) {
	switch r {
	case ResultPass:
		c.Pass++
	case ResultFail:
		c.Fail++
	case ResultSoftFail:
		c.SoftFail++
	case ResultNeutral:
		c.Neutral++
	case ResultNone:
		c.None++
	case ResultTempError:
		c.TempError++
	case ResultPermError:
		c.PermError++
	case ResultPolicy:
		c.Policy++
	default: // "" (no authentication) or a value no RFC defines
		c.Unchecked++
	}
}

// DispositionCounts counts the dispositions DMARC policies ask for.
type DispositionCounts struct {
	None       int `json:"none"`
	Quarantine int `json:"quarantine"`
	Reject     int `json:"reject"`
	NoPolicy   int `json:"no_policy"`
	Unchecked  int `json:"unchecked"`
}

// Bars returns the counts as chart bars, strictest last.
func (d DispositionCounts) Bars() []Bar {
	bars := []Bar{{"none", d.None}, {"quarantine", d.Quarantine}, {"reject", d.Reject}, {"no policy", d.NoPolicy}}
	if d.Unchecked > 0 {
		bars = append(bars, Bar{"unchecked", d.Unchecked})
	}
	return bars
}

// DomainCount is a From domain and a number of messages.
type DomainCount struct {
	Domain   string `json:"domain"`
	Messages int    `json:"messages"`
}

// Series is a time series of counts in equal buckets.
type Series struct {
	// Unit is the bucket: "day", "week" (starting Monday), "month" or
	// "year".
	Unit   string  `json:"unit"`
	Points []Point `json:"points"`
}

// Point is one bucket of a Series.
type Point struct {
	Start     time.Time `json:"start"` // UTC midnight starting the bucket
	Messages  int       `json:"messages"`
	Encrypted int       `json:"encrypted"`
	Risky     int       `json:"risky"`
	PPAPPairs int       `json:"ppap_pairs"`
}

// StatsCounter accumulates Stats one message at a time, so that a view can
// redraw while a scan runs. The zero value is not usable; call
// NewStatsCounter.
type StatsCounter struct {
	// Now is the clock's reading that DateSuspect compares dates with;
	// NewStatsCounter sets it to the current time.
	Now    time.Time
	s      Stats
	days   map[time.Time]*Point
	failed map[string]int
}

// NewStatsCounter returns an empty counter.
func NewStatsCounter() *StatsCounter {
	return &StatsCounter{days: make(map[time.Time]*Point), failed: make(map[string]int), Now: time.Now()}
}

// ComputeStats returns the Stats of the messages f matches.
func ComputeStats(msgs []Message, f Filter) Stats {
	c := NewStatsCounter()
	for i := range msgs {
		if f.Match(&msgs[i]) {
			c.Add(&msgs[i])
		}
	}
	return c.Stats()
}

// Add counts one message.
func (c *StatsCounter) Add(m *Message) {
	s := &c.s
	s.Messages++
	s.SPF.add(m.SPFResult())
	dkim, _ := m.DKIMSummary()
	s.DKIM.add(dkim)
	dmarc, _ := m.DMARCResult()
	s.DMARC.add(dmarc)
	switch {
	case m.Auth == nil:
		s.Dispositions.Unchecked++
	case m.Auth.DMARC.Policy == "":
		s.Dispositions.NoPolicy++
	case m.Auth.DMARC.Disposition == DispositionReject:
		s.Dispositions.Reject++
	case m.Auth.DMARC.Disposition == DispositionQuarantine:
		s.Dispositions.Quarantine++
	default:
		s.Dispositions.None++
	}
	enc, risky, ppap := m.IsEncrypted(), m.IsRisky(), m.HasPPAPPair()
	if enc {
		s.Encrypted++
	}
	if risky {
		s.Risky++
	}
	if ppap {
		s.PPAPPairs++
	}
	if m.IsDMARCFail() {
		c.failed[m.FromDomain]++
	}
	c.addDate(m.Date, m.DateSource == DateDelivered, enc, risky, ppap)
}

// addDate counts a message's date: undated, delivered, suspect, or on
// its day of the timeline. Add and AddRow share it.
func (c *StatsCounter) addDate(date time.Time, delivered, enc, risky, ppap bool) {
	s := &c.s
	if date.IsZero() {
		s.Undated++
		return
	}
	if delivered {
		s.Delivered++
	}
	if DateSuspect(date, c.Now) {
		s.SuspectDates++
		return
	}
	d := date.UTC()
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	p := c.days[day]
	if p == nil {
		p = &Point{Start: day}
		c.days[day] = p
	}
	p.Messages++
	p.Encrypted += b2i(enc)
	p.Risky += b2i(risky)
	p.PPAPPairs += b2i(ppap)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// HasPPAPPair reports whether one of the message's encrypted archives was
// paired with its password (PPAP: the password sent in a second mail).
func (m *Message) HasPPAPPair() bool {
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil && a.PasswordSource != "" {
			return true
		}
	}
	return false
}

// Stats returns a snapshot of what was counted so far.
func (c *StatsCounter) Stats() Stats {
	s := c.s
	s.FailingDomains = make([]DomainCount, 0, len(c.failed))
	for d, n := range c.failed {
		s.FailingDomains = append(s.FailingDomains, DomainCount{Domain: d, Messages: n})
	}
	slices.SortFunc(s.FailingDomains, func(a, b DomainCount) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(a.Domain, b.Domain))
	})
	s.FailingDomains = s.FailingDomains[:min(len(s.FailingDomains), TopFailingDomains)]
	s.Series = c.series()
	return s
}

// series buckets the days by the smallest unit that keeps the series
// within maxSeriesPoints, filling empty buckets with zeros.
func (c *StatsCounter) series() Series {
	if len(c.days) == 0 {
		return Series{Unit: "day", Points: []Point{}}
	}
	var first, last time.Time
	for d := range c.days {
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	for _, unit := range []string{"day", "week", "month", "year"} {
		start, end := bucketStart(first, unit), bucketStart(last, unit)
		n := 1
		for t := start; t.Before(end); t = nextBucket(t, unit) {
			n++
		}
		if n > maxSeriesPoints {
			if unit != "year" {
				continue
			}
			// Centuries of forged dates: the oldest years share the
			// first bucket.
			start = end.AddDate(-(maxSeriesPoints - 1), 0, 0)
		}
		points := make([]Point, 0, min(n, maxSeriesPoints))
		index := make(map[time.Time]int, n)
		for t := start; !t.After(end); t = nextBucket(t, unit) {
			index[t] = len(points)
			points = append(points, Point{Start: t})
		}
		for d, p := range c.days {
			q := &points[index[bucketStart(d, unit)]] // 0, the first bucket, when clamped away
			q.Messages += p.Messages
			q.Encrypted += p.Encrypted
			q.Risky += p.Risky
			q.PPAPPairs += p.PPAPPairs
		}
		return Series{Unit: unit, Points: points}
	}
	return Series{Unit: "day", Points: []Point{}} // unreachable: "year" always returns
}

// bucketStart returns the start of the bucket of unit holding day.
func bucketStart(day time.Time, unit string) time.Time {
	switch unit {
	case "week":
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case "month":
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "year":
		return time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

func nextBucket(t time.Time, unit string) time.Time {
	switch unit {
	case "week":
		return t.AddDate(0, 0, 7)
	case "month":
		return t.AddDate(0, 1, 0)
	case "year":
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 0, 1)
}
