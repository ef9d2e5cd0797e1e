package dmarcreport

// PassCounts are what a domain's summary and a sending source's readiness
// both count of the messages reported: DMARC pass as the reporter
// evaluated it (an aligned SPF pass or an aligned DKIM pass, from
// policy_evaluated — never a raw auth_results pass), SPF-aligned and
// DKIM-aligned passes, and their ratios of the messages.
type PassCounts struct {
	DMARCPass   int64 `json:"dmarc_pass"`
	SPFAligned  int64 `json:"spf_aligned"`
	DKIMAligned int64 `json:"dkim_aligned"`
	// Ratios of the messages counted, 0 when there are none.
	DMARCPassRatio   float64 `json:"dmarc_pass_ratio"`
	SPFAlignedRatio  float64 `json:"spf_aligned_ratio"`
	DKIMAlignedRatio float64 `json:"dkim_aligned_ratio"`
}

// count adds n messages that the reporter found aligned as a says.
func (c *PassCounts) count(a Alignment, n int64) {
	if a.DMARC {
		c.DMARCPass += n
	}
	if a.SPF {
		c.SPFAligned += n
	}
	if a.DKIM {
		c.DKIMAligned += n
	}
}

// setRatios works the ratios out of messages.
func (c *PassCounts) setRatios(messages int64) {
	c.DMARCPassRatio = ratio(c.DMARCPass, messages)
	c.SPFAlignedRatio = ratio(c.SPFAligned, messages)
	c.DKIMAlignedRatio = ratio(c.DKIMAligned, messages)
}
