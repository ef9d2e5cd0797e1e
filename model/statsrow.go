package model

import "time"

// AddRow counts one message from its row, as Add counts it from the
// message: the console's statistics read the rows it lists, not the full
// messages.
func (c *StatsCounter) AddRow(r *Row) {
	s := &c.s
	s.Messages++
	s.SPF.add(r.SPF)
	s.DKIM.add(r.DKIM)
	s.DMARC.add(r.DMARC)
	switch {
	case r.Has(RowNoAuth):
		s.Dispositions.Unchecked++
	case r.Policy == "":
		s.Dispositions.NoPolicy++
	case r.Disposition == DispositionReject:
		s.Dispositions.Reject++
	case r.Disposition == DispositionQuarantine:
		s.Dispositions.Quarantine++
	default:
		s.Dispositions.None++
	}
	enc, risky, ppap := r.Has(RowEncrypted), r.Has(RowRisky), r.Has(RowPPAPPair)
	s.Encrypted += b2i(enc)
	s.Risky += b2i(risky)
	s.PPAPPairs += b2i(ppap)
	if r.Has(RowDMARCFail) {
		c.failed[r.Domain]++
	}
	if r.Date.IsZero() {
		s.Undated++
		return
	}
	if r.Has(RowDateDelivered) {
		s.Delivered++
	}
	if DateSuspect(r.Date, c.Now) {
		s.SuspectDates++
		return
	}
	d := r.Date.UTC()
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
