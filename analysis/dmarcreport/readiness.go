package dmarcreport

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Decision is what a sending source needs before the domain's DMARC
// policy can be tightened.
type Decision string

// Readiness decisions.
const (
	// DecisionReady: the source passes DMARC often enough.
	DecisionReady Decision = "ready"
	// DecisionFixSPF: the source sends with an envelope sender in the
	// domain's organization, so SPF could align: its address is missing
	// from the SPF record.
	DecisionFixSPF Decision = "fix SPF"
	// DecisionFixDKIM: the source uses a third party's envelope sender
	// (SPF cannot align) or signs with another d=: it must sign with an
	// aligned d=.
	DecisionFixDKIM Decision = "fix DKIM"
	// DecisionSpoofing: never aligned and no valid signature of any
	// domain: an unknown sender that enforcement is meant to stop.
	DecisionSpoofing Decision = "spoofing"
)

// Thresholds decide the sources; they are stated with every answer.
type Thresholds struct {
	// ReadyRatio: a source whose DMARC pass ratio is at least this is
	// ready (default 0.98: forwarding breaks a little of any source).
	ReadyRatio float64 `json:"ready_ratio"`
	// SpoofingRatio: a source whose DMARC pass ratio is at most this and
	// that carries no valid DKIM signature of any domain is spoofing
	// (default 0: never aligned).
	SpoofingRatio float64 `json:"spoofing_ratio"`
}

// DefaultThresholds are the thresholds when the configuration sets none.
var DefaultThresholds = Thresholds{ReadyRatio: 0.98, SpoofingRatio: 0}

// SourceReadiness is one sending source (IP address) of a domain's mail
// as the aggregate reports saw it, and its decision.
type SourceReadiness struct {
	IP         string `json:"ip_address"`
	ReverseDNS string `json:"reverse_dns"`
	// Reporters are the reporting organisations that saw it, sorted.
	Reporters []string `json:"reporters"`
	Messages  int64    `json:"messages"`
	// PassCounts count its messages as the reporters evaluated them.
	PassCounts
	// EnvelopeFrom and DKIMDomains are the distinct envelope senders and
	// d= domains with a valid signature its messages carried.
	EnvelopeFrom []string `json:"envelope_from"`
	DKIMDomains  []string `json:"dkim_domains"`
	Decision     Decision `json:"decision"`
	// Advice says what to change, in one sentence; "" when ready.
	Advice string `json:"advice,omitempty"`
	// Quarantined counts the mail claiming the domain from this address
	// that failed DMARC in the local quarantine (see JoinQuarantine).
	Quarantined int `json:"quarantined"`

	orgEnvelope int64 // messages whose envelope sender is in the organization
}

// Readiness is the answer for one domain: where its policy stands, the
// next step (RFC 9989: t=y as the testing step before each enforcing
// one), and what that step would affect.
type Readiness struct {
	Domain     string     `json:"domain"`
	Begin      time.Time  `json:"begin_date"`
	End        time.Time  `json:"end_date"`
	Days       int        `json:"days"`
	Reports    int        `json:"reports"`
	Messages   int64      `json:"messages"`
	Policy     string     `json:"policy"`  // p= of the latest report
	Testing    bool       `json:"testing"` // t=y in the latest report
	Target     string     `json:"target"`  // the enforcing policy aimed at: "p=reject"; "" at the last step
	NextStep   string     `json:"next_step"`
	Thresholds Thresholds `json:"thresholds"`
	// LegitSources, LegitPerDay: the sources to fix and their failing
	// messages per day; SpoofingSources, SpoofingPerDay the same for
	// spoofing.
	LegitSources    int               `json:"legit_sources"`
	LegitPerDay     float64           `json:"legit_messages_per_day"`
	SpoofingSources int               `json:"spoofing_sources"`
	SpoofingPerDay  float64           `json:"spoofing_messages_per_day"`
	Sources         []SourceReadiness `json:"sources"`
	// LocalOnly are addresses whose mail claiming the domain failed DMARC
	// in the local quarantine but that no report names.
	LocalOnly []LocalSource `json:"local_only"`
}

// LocalSource is an address the local quarantine saw failing.
type LocalSource struct {
	IP       string `json:"ip_address"`
	Messages int    `json:"messages"`
}

// AssessReadiness sums up the reports about domain (others are skipped,
// duplicates counted once) per source and decides each.
func AssessReadiness(domain string, reports []*Report, th Thresholds) Readiness {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	rd := Readiness{Domain: domain, Thresholds: th, Sources: []SourceReadiness{}, LocalOnly: []LocalSource{}}
	org := orgOf(domain)
	seen := map[string]bool{}
	sources := map[string]*SourceReadiness{}
	var latest time.Time
	for _, r := range reports {
		if !strings.EqualFold(r.PolicyPublished.Domain, domain) {
			continue
		}
		reporter := strings.TrimSpace(r.Metadata.OrgName)
		key := strings.ToLower(reporter) + "\x00" + r.Metadata.ReportID
		if seen[key] {
			continue
		}
		seen[key] = true
		rd.Reports++
		if rd.Begin.IsZero() || r.Metadata.Begin.Before(rd.Begin) {
			rd.Begin = r.Metadata.Begin
		}
		if r.Metadata.End.After(rd.End) {
			rd.End = r.Metadata.End
		}
		if !r.Metadata.End.Before(latest) {
			latest, rd.Policy, rd.Testing = r.Metadata.End, r.PolicyPublished.P, r.PolicyPublished.InTesting()
		}
		for i := range r.Records {
			rec := &r.Records[i]
			ip := normalizeIP(rec.Source.IPAddress)
			s := sources[ip]
			if s == nil {
				s = &SourceReadiness{IP: ip, Reporters: []string{}, EnvelopeFrom: []string{}, DKIMDomains: []string{}}
				sources[ip] = s
			}
			s.Reporters = addDistinct(s.Reporters, reporter)
			n := rec.Count
			rd.Messages += n
			s.Messages += n
			s.count(rec.Alignment, n)
			env := strings.ToLower(rec.Identifiers.EnvelopeFrom)
			if env == "" && len(rec.AuthResults.SPF) > 0 {
				env = strings.ToLower(rec.AuthResults.SPF[0].Domain)
			}
			if env != "" {
				s.EnvelopeFrom = addDistinct(s.EnvelopeFrom, env)
				if orgOf(env) == org {
					s.orgEnvelope += n
				}
			}
			for _, d := range rec.AuthResults.DKIM {
				if strings.EqualFold(d.Result, "pass") && d.Domain != "" {
					s.DKIMDomains = addDistinct(s.DKIMDomains, strings.ToLower(d.Domain))
				}
			}
		}
	}
	if !rd.End.IsZero() {
		rd.Days = max(1, int(math.Ceil(rd.End.Sub(rd.Begin).Hours()/24)))
	}
	rd.Target, rd.NextStep = nextStep(rd.Policy, rd.Testing)
	var legitFail, spoofFail int64
	for _, s := range sources {
		s.setRatios(s.Messages)
		slices.Sort(s.Reporters)
		s.Decision, s.Advice = decide(s, domain, th)
		switch s.Decision {
		case DecisionSpoofing:
			rd.SpoofingSources++
			spoofFail += s.Messages - s.DMARCPass
		case DecisionFixSPF, DecisionFixDKIM:
			rd.LegitSources++
			legitFail += s.Messages - s.DMARCPass
		}
		rd.Sources = append(rd.Sources, *s)
	}
	if rd.Days > 0 {
		rd.LegitPerDay, rd.SpoofingPerDay = float64(legitFail)/float64(rd.Days), float64(spoofFail)/float64(rd.Days)
	}
	slices.SortFunc(rd.Sources, func(a, b SourceReadiness) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(a.IP, b.IP))
	})
	return rd
}

// decide applies the thresholds to one source, in order: ready, spoofing,
// fix SPF (its envelope sender is mostly in the domain's organization,
// so SPF could align), else fix DKIM.
func decide(s *SourceReadiness, domain string, th Thresholds) (Decision, string) {
	switch {
	case s.DMARCPassRatio >= th.ReadyRatio:
		return DecisionReady, ""
	case s.DMARCPassRatio <= th.SpoofingRatio && len(s.DKIMDomains) == 0:
		return DecisionSpoofing, "never aligned and no valid signature: an unknown sender; enforcing stops it (if it is yours, add it to SPF and sign its mail)"
	case s.orgEnvelope*2 > s.Messages:
		return DecisionFixSPF, fmt.Sprintf("add %s to the SPF record of %s", spfMechanism(s.IP), strings.Join(orgDomains(s.EnvelopeFrom, orgOf(domain)), ", "))
	}
	advice := "sign with an aligned d=" + domain
	if len(s.DKIMDomains) > 0 {
		advice += " (it signs with d=" + strings.Join(s.DKIMDomains, ", d=") + ")"
	}
	return DecisionFixDKIM, advice
}

// spfMechanism is the SPF mechanism naming ip: ip4:A or ip6:A.
func spfMechanism(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() {
		return "ip6:" + ip
	}
	return "ip4:" + ip
}

// orgDomains keeps the domains of list in organization org.
func orgDomains(list []string, org string) []string {
	var out []string
	for _, d := range list {
		if orgOf(d) == org {
			out = append(out, d)
		}
	}
	return out
}

// nextStep is the RFC 9989 ladder: p=none, then p=quarantine with t=y
// (receivers report what they would quarantine but apply none), then
// p=quarantine, then p=reject with t=y, then p=reject. It returns the
// enforcing policy aimed at and the record's next step.
func nextStep(p string, testing bool) (target, step string) {
	switch {
	case p == "reject" && !testing:
		return "", "none: p=reject is the last step"
	case p == "reject":
		return "p=reject", "p=reject (drop t=y)"
	case p == "quarantine" && !testing:
		return "p=reject", "p=reject; t=y"
	case p == "quarantine":
		return "p=quarantine", "p=quarantine (drop t=y)"
	}
	return "p=quarantine", "p=quarantine; t=y"
}

// Summary is the domain-level answer in one paragraph, with its
// thresholds and period.
func (rd *Readiness) Summary() string {
	var b strings.Builder
	from := "p=" + cmp.Or(rd.Policy, "none")
	if rd.Testing {
		from += "; t=y"
	}
	if rd.Target == "" {
		fmt.Fprintf(&b, "%s is at %s, the last step: %.0f messages/day from %s fail DMARC and are rejected.",
			rd.Domain, from, rd.LegitPerDay, plural(rd.LegitSources, "legitimate source"))
	} else {
		fmt.Fprintf(&b, "Moving %s from %s to %s (next step %s, RFC 9989) would affect %.0f messages/day from %s",
			rd.Domain, from, rd.Target, rd.NextStep, rd.LegitPerDay, plural(rd.LegitSources, "legitimate source"))
		var names []string
		for _, s := range rd.Sources {
			if s.Decision == DecisionFixSPF || s.Decision == DecisionFixDKIM {
				names = append(names, s.IP+nameSuffix(s.ReverseDNS)+" "+string(s.Decision))
			}
		}
		if len(names) > 0 {
			b.WriteString(": " + strings.Join(names, "; "))
		}
		b.WriteString(".")
	}
	fmt.Fprintf(&b, " %.0f messages/day from %s would be stopped as intended.", rd.SpoofingPerDay, plural(rd.SpoofingSources, "spoofing source"))
	if !rd.Begin.IsZero() {
		fmt.Fprintf(&b, " Based on %d reports, %s to %s (%d days, %d messages);", rd.Reports,
			rd.Begin.UTC().Format(time.DateOnly), rd.End.UTC().Format(time.DateOnly), rd.Days, rd.Messages)
	}
	fmt.Fprintf(&b, " a source is ready at %s DMARC pass or more, spoofing at %s or less without a valid signature.",
		percent(rd.Thresholds.ReadyRatio), percent(rd.Thresholds.SpoofingRatio))
	return b.String()
}

// plural is "1 spoofing source" or "2 spoofing sources".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func nameSuffix(n string) string {
	if n == "" {
		return ""
	}
	return " (" + n + ")"
}

func percent(r float64) string { return fmt.Sprintf("%g%%", math.Round(r*1000)/10) }

// JoinQuarantine sets what the local quarantine saw: failing counts per
// client address of mail claiming the domain. Addresses the reports do
// not name become LocalOnly, most first.
func (rd *Readiness) JoinQuarantine(failing map[string]int) {
	named := map[string]bool{}
	for i := range rd.Sources {
		rd.Sources[i].Quarantined = failing[rd.Sources[i].IP]
		named[rd.Sources[i].IP] = true
	}
	rd.LocalOnly = rd.LocalOnly[:0]
	for ip, n := range failing {
		if !named[ip] {
			rd.LocalOnly = append(rd.LocalOnly, LocalSource{IP: ip, Messages: n})
		}
	}
	slices.SortFunc(rd.LocalOnly, func(a, b LocalSource) int {
		return cmp.Or(cmp.Compare(b.Messages, a.Messages), cmp.Compare(a.IP, b.IP))
	})
}

// orgOf is the organizational domain of d by the public suffix list (the
// reports give no tree walk), or d itself.
func orgOf(d string) string {
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}
