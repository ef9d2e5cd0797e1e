package model

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
		c.failed[r.Domain()]++
	}
	c.addDate(r.Date(), r.Has(RowDateDelivered), enc, risky, ppap)
}
