package model

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomMessages are messages whose every sorted column has ties, values
// that share their first eight bytes, multi-byte text, zero, sub-second
// and out-of-range dates, so that the prefix sort meets every case.
func randomMessages(r *rand.Rand, n int) []Message {
	froms := []string{"", "Alice <a@x.example>", "alice <b@x.example>", "Alexander Longname <l@x.example>",
		"Alexander Longnamf <m@x.example>", "鈴木 花子 <h@x.example>", "鈴木 太郎 <t@x.example>", "zed@z.example"}
	subjects := []string{"", "invoice", "Invoice 2026-11", "Invoice 2026-12", "請求書", "請求書の送付", "re: invoice"}
	domains := []string{"", "a.example", "a.example.com", "b.example", "例え.jp"}
	results := []Result{"", ResultPass, ResultFail, ResultNone, ResultTempError, ResultSoftFail, ResultNeutral}
	policies := []Disposition{"", DispositionNone, DispositionQuarantine, DispositionReject}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Message, n)
	for i := range out {
		m := msg(fmt.Sprintf("m%04d", i), withFrom(froms[r.IntN(len(froms))]))
		m.Subject = subjects[r.IntN(len(subjects))]
		m.FromDomain = domains[r.IntN(len(domains))]
		switch r.IntN(16) {
		case 0, 1: // no date
		case 2: // beyond what nanoseconds since 1970 can hold
			m.Date = time.Date(3000+r.IntN(2), 1, 1, 0, 0, r.IntN(2), 0, time.UTC)
		case 3:
			m.Date = time.Date(1600, 1, 1, 0, 0, r.IntN(2), 0, time.UTC)
		default:
			m.Date = base.Add(time.Duration(r.IntN(5))*time.Second + time.Duration(r.IntN(3))*time.Millisecond)
		}
		m.Size = int64(r.IntN(4)) << (8 * r.IntN(4))
		m.Verdict.Attachment = []AttachmentVerdict{AttachmentClean, AttachmentEncrypted, AttachmentRisky, AttachmentError, ""}[r.IntN(5)]
		if r.IntN(4) > 0 {
			m.Auth = &Auth{SPF: SPFResult{Result: results[r.IntN(len(results))]},
				DMARC: DMARCResult{Result: results[r.IntN(len(results))], Policy: policies[r.IntN(len(policies))]}}
			if r.IntN(2) == 0 {
				m.Auth.DKIM = []DKIMResult{{Result: results[r.IntN(len(results))], Domain: domains[r.IntN(len(domains))]}}
			}
		}
		out[i] = m
	}
	return out
}

// TestPrefixSortMatchesFullComparison checks that sorting on the 64-bit
// prefixes gives exactly the order of sorting with the full comparison,
// for every column in both directions.
func TestPrefixSortMatchesFullComparison(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 3))
	tab := NewTable()
	tab.Append(randomMessages(r, 600)...)
	for c := range NumColumns {
		for _, desc := range []bool{false, true} {
			tab.SetSort(SortKey{Column: c, Desc: desc})
			want := slices.Clone(tab.order)
			slices.SortFunc(want, tab.compare)
			if !slices.Equal(tab.order, want) {
				t.Errorf("sort by %v desc=%v: prefix sort differs from the full comparison", c, desc)
			}
		}
	}
}

// TestStringPrefix checks stringPrefix against its definition, the first
// eight bytes big-endian and zero-padded, on texts shorter than, as long
// as and longer than eight bytes, with zero and high bytes.
func TestStringPrefix(t *testing.T) {
	for _, s := range []string{"", "a", "\x00", "abcdefg", "abcdefgh", "abcdefghi", "\xff\x00\xfe\x01\x80\x7f\x10\x01\x02",
		"請求書", "請求書の送付", "a\x00\x00\x00\x00\x00\x00\x00"} {
		var padded [8]byte
		copy(padded[:], s)
		if got, want := stringPrefix(s), binary.BigEndian.Uint64(padded[:]); got != want {
			t.Errorf("stringPrefix(%q) = %#x, want %#x", s, got, want)
		}
	}
}
