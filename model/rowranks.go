package model

// The verdict columns sort on ranks that every row derives, when asked,
// from what it holds (its verdicts, which rows share, its flags, its
// read error and its exception) rather than keeps: kept, they took 7
// bytes a row and made it 144 bytes instead of 136 (8 MB at a million
// messages), and a derived rank cannot disagree with what the row
// shows. A sort computes each row's key once (rowPrefix); a comparison
// (CompareRows) a few switches on short strings. They are what the
// message's own predicates give (Message.Severity among them;
// TestRowRanksDerived).

// Severity is Message.Severity.
func (r *Row) Severity() int { return int(r.severityRank()) }

func (r *Row) severityRank() int8 {
	v := r.RowVerdicts
	switch {
	case r.ReadError() != "" || v.Attachment == AttachmentError:
		return 4
	case r.Has(RowEncrypted):
		return 3
	case r.Has(RowRisky) || r.Has(RowDMARCFail):
		return 2
	case v.Auth == AuthNone || r.Has(RowAuthTempError):
		return 1
	}
	return 0
}

func (r *Row) attRank() int8 { return int8(r.Attachment.Rank()) }
func (r *Row) spfRank() int8 { return int8(authRank(r.SPF)) }

// dkimRank ranks a signature that is not aligned just after an aligned
// one with the same result.
func (r *Row) dkimRank() int8 {
	k := int8(authRank(r.DKIM) * 2)
	if !r.Has(RowDKIMAligned) && r.DKIM != "" {
		k++
	}
	return k
}

func (r *Row) dmarcRank() int8  { return int8(authRank(r.DMARC)) }
func (r *Row) policyRank() int8 { return int8(policyRank(r.Policy)) }

// excRank is Message.exceptionRank of the row's exception.
func (r *Row) excRank() int8 { return int8(exceptionRankOf(r.Exception)) }
