package model

import (
	"strconv"
	"strings"
)

// PolicySummary spells the policy a DMARC result applied, for the detail
// pane and the CSV: "p=reject sp=quarantine np=reject t=y psd=y
// adkim=r aspf=r", then the obsolete tags ("pct=50 (obsolete)"); "" when
// no record applied. The values come from the sender's DNS: sanitise
// before drawing.
func (d DMARCResult) PolicySummary() string {
	if d.Policy == "" {
		return ""
	}
	parts := []string{"p=" + string(d.Policy)}
	if d.SubdomainPolicy != "" {
		parts = append(parts, "sp="+string(d.SubdomainPolicy))
	}
	if d.NonexistentPolicy != "" {
		parts = append(parts, "np="+string(d.NonexistentPolicy))
	}
	if d.Testing {
		parts = append(parts, "t=y")
	}
	if d.PSD != "" {
		parts = append(parts, "psd="+d.PSD)
	}
	if d.ADKIM != "" {
		parts = append(parts, "adkim="+string(d.ADKIM))
	}
	if d.ASPF != "" {
		parts = append(parts, "aspf="+string(d.ASPF))
	}
	for _, t := range d.ObsoleteTags {
		parts = append(parts, t+" (obsolete)")
	}
	return strings.Join(parts, " ")
}

// WalkLines describes the DNS Tree Walk of a live DMARC result, one line
// per name asked: status, name and, when found, the record — why a
// subdomain is or is not its own organization. Nil for results taken
// from headers.
func (d DMARCResult) WalkLines() []string {
	var out []string
	for _, r := range d.Records {
		line := r.Status + strings.Repeat(" ", max(1, 10-len(r.Status))) + r.Name
		if r.Record != "" {
			line += "  " + r.Record
		}
		out = append(out, line)
	}
	if len(out) > 0 && d.OrgDomain != "" {
		out = append(out, "organizational domain "+d.OrgDomain+", policy from "+orNone(d.PolicyDomain)+
			" ("+strconv.Itoa(len(d.Records))+" of at most 8 queries)")
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "no record"
	}
	return s
}
