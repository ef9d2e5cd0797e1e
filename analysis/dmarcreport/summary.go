package dmarcreport

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// TopSources is how many failing sources a domain summary ranks.
const TopSources = 20

// maxIdentifiers caps the distinct domains kept per failing source.
const maxIdentifiers = 10

// Summary sums up a set of reports, per reported domain.
type Summary struct {
	// Reports counts distinct reports; Duplicates those seen again (same
	// report_id from the same reporter) and not counted twice.
	Reports    int             `json:"reports"`
	Duplicates int             `json:"duplicates"`
	Messages   int64           `json:"messages"`
	Domains    []DomainSummary `json:"domains"`
}

// DomainSummary is what receivers reported about one domain over the
// period the reports cover.
type DomainSummary struct {
	Domain string    `json:"domain"`
	Begin  time.Time `json:"begin_date"`
	End    time.Time `json:"end_date"`
	Policy string    `json:"policy"` // p= of the latest report
	// Testing is set when the latest report says the policy was in
	// testing mode (t=y): receivers applied it one level lower.
	Testing bool `json:"testing,omitempty"`
	// DiscoveryMethod is the latest RFC 9990 report's "psl" or
	// "treewalk", "" when no report says.
	DiscoveryMethod string `json:"discovery_method,omitempty"`
	Reports         int    `json:"reports"`
	Messages        int64  `json:"messages"`
	PassCounts
	// Dispositions counts messages per disposition the receivers applied.
	Dispositions map[string]int64 `json:"dispositions"`
	Reporters    []ReporterCount  `json:"reporters"`
	// FailingSources are the TopSources sources with the most messages
	// failing DMARC, most first.
	FailingSources []FailingSource `json:"failing_sources"`
	// FailingSourcesTotal counts every distinct failing source.
	FailingSourcesTotal int `json:"failing_sources_total"`
}

// ReporterCount is one reporter's share of a domain's reports.
type ReporterCount struct {
	OrgName   string `json:"org_name"`
	Reports   int    `json:"reports"`
	Messages  int64  `json:"messages"`
	DMARCPass int64  `json:"dmarc_pass"`
	// TestingReports counts its reports that say the policy was in
	// testing mode (t=y); Schema is its latest report's schema.
	TestingReports int    `json:"testing_reports,omitempty"`
	Schema         string `json:"schema,omitempty"`
}

// FailingSource is a sending IP whose messages failed DMARC.
type FailingSource struct {
	IP         string `json:"ip_address"`
	ReverseDNS string `json:"reverse_dns"`
	Messages   int64  `json:"messages"`
	// TestingMessages counts its failing messages reported while the
	// policy was in testing mode (t=y): the reporter applied the policy
	// one level lower to them.
	TestingMessages int64 `json:"testing_messages,omitempty"`
	// The distinct identifiers its failing messages carried (at most 10
	// each), in the order first seen.
	HeaderFrom   []string         `json:"header_from"`
	EnvelopeFrom []string         `json:"envelope_from"`
	DKIMDomains  []string         `json:"dkim_domains"`
	Dispositions map[string]int64 `json:"dispositions"`
}

// Summarizer accumulates reports one at a time, so that a view can show
// the summary while reports are still being read.
type Summarizer struct {
	seen    map[string]bool
	domains map[string]*domainAcc
	sum     Summary
}

type domainAcc struct {
	s         DomainSummary
	latest    time.Time
	reporters map[string]*ReporterCount
	sources   map[string]*FailingSource
}

// NewSummarizer returns an empty Summarizer.
func NewSummarizer() *Summarizer {
	return &Summarizer{seen: make(map[string]bool), domains: make(map[string]*domainAcc)}
}

// Add counts r unless the same reporter's report with the same report_id
// was added before; it reports whether r was new.
func (z *Summarizer) Add(r *Report) bool {
	org := strings.ToLower(strings.TrimSpace(r.Metadata.OrgName))
	key := org + "\x00" + r.Metadata.ReportID + "\x00" + r.PolicyPublished.Domain
	if z.seen[key] {
		z.sum.Duplicates++
		return false
	}
	z.seen[key] = true
	z.sum.Reports++
	d := z.domain(r.PolicyPublished.Domain)
	d.s.Reports++
	if d.s.Begin.IsZero() || (!r.Metadata.Begin.IsZero() && r.Metadata.Begin.Before(d.s.Begin)) {
		d.s.Begin = r.Metadata.Begin
	}
	if r.Metadata.End.After(d.s.End) {
		d.s.End = r.Metadata.End
	}
	if !r.Metadata.End.Before(d.latest) {
		d.latest, d.s.Policy = r.Metadata.End, r.PolicyPublished.P
		d.s.Testing, d.s.DiscoveryMethod = r.PolicyPublished.InTesting(), r.PolicyPublished.DiscoveryMethod
	}
	rep := d.reporters[org]
	if rep == nil {
		rep = &ReporterCount{OrgName: strings.TrimSpace(r.Metadata.OrgName)}
		d.reporters[org] = rep
	}
	rep.Reports++
	rep.Schema = r.Schema
	testing := r.PolicyPublished.InTesting()
	if testing {
		rep.TestingReports++
	}
	for i := range r.Records {
		rec := &r.Records[i]
		n := rec.Count
		z.sum.Messages += n
		d.s.Messages += n
		rep.Messages += n
		d.s.count(rec.Alignment, n)
		disp := rec.PolicyEvaluated.Disposition
		if disp == "" {
			disp = "none"
		}
		d.s.Dispositions[disp] += n
		if rec.Alignment.DMARC {
			rep.DMARCPass += n
			continue
		}
		d.addFailing(rec, disp, testing)
	}
	return true
}

func (z *Summarizer) domain(name string) *domainAcc {
	d := z.domains[name]
	if d == nil {
		d = &domainAcc{
			s:         DomainSummary{Domain: name, Dispositions: make(map[string]int64)},
			reporters: make(map[string]*ReporterCount),
			sources:   make(map[string]*FailingSource),
		}
		z.domains[name] = d
	}
	return d
}

func (d *domainAcc) addFailing(rec *Record, disp string, testing bool) {
	ip := normalizeIP(rec.Source.IPAddress)
	src := d.sources[ip]
	if src == nil {
		src = &FailingSource{IP: ip, Dispositions: make(map[string]int64)}
		d.sources[ip] = src
	}
	src.Messages += rec.Count
	if testing {
		src.TestingMessages += rec.Count
	}
	src.Dispositions[disp] += rec.Count
	src.HeaderFrom = addDistinct(src.HeaderFrom, rec.Identifiers.HeaderFrom)
	src.EnvelopeFrom = addDistinct(src.EnvelopeFrom, rec.Identifiers.EnvelopeFrom)
	for _, k := range rec.AuthResults.DKIM {
		src.DKIMDomains = addDistinct(src.DKIMDomains, k.Domain)
	}
}

// normalizeIP writes an address in its canonical form so that "::ffff:"
// and zero-padded spellings of one host are one source.
func normalizeIP(s string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return strings.TrimSpace(s)
	}
	return a.Unmap().String()
}

func addDistinct(list []string, v string) []string {
	if v == "" || len(list) >= maxIdentifiers || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// Summary returns the summary of what was added so far: domains by
// message count, reporters by message count, the top failing sources. The
// Summarizer can go on accumulating afterwards.
func (z *Summarizer) Summary() Summary {
	out := z.sum
	out.Domains = make([]DomainSummary, 0, len(z.domains))
	for _, d := range z.domains {
		s := d.s
		s.Dispositions = cloneMap(d.s.Dispositions)
		s.setRatios(s.Messages)
		s.Reporters = make([]ReporterCount, 0, len(d.reporters))
		for _, r := range d.reporters {
			s.Reporters = append(s.Reporters, *r)
		}
		slices.SortFunc(s.Reporters, func(a, b ReporterCount) int {
			return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(a.OrgName, b.OrgName))
		})
		s.FailingSourcesTotal = len(d.sources)
		s.FailingSources = topSources(d.sources)
		out.Domains = append(out.Domains, s)
	}
	slices.SortFunc(out.Domains, func(a, b DomainSummary) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(a.Domain, b.Domain))
	})
	return out
}

func topSources(m map[string]*FailingSource) []FailingSource {
	all := make([]FailingSource, 0, len(m))
	for _, s := range m {
		c := *s
		c.HeaderFrom = slices.Clone(s.HeaderFrom)
		c.EnvelopeFrom = slices.Clone(s.EnvelopeFrom)
		c.DKIMDomains = slices.Clone(s.DKIMDomains)
		c.Dispositions = cloneMap(s.Dispositions)
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b FailingSource) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(a.IP, b.IP))
	})
	return all[:min(len(all), TopSources)]
}

func cloneMap(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func ratio(n, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// Summarize sums up reports at once.
func Summarize(reports []*Report) Summary {
	z := NewSummarizer()
	for _, r := range reports {
		z.Add(r)
	}
	return z.Summary()
}
