package domaincheck

import (
	"context"
	"fmt"
	"strings"

	"mxaudit/analysis/auth"
)

// RFC 7208 §4.6.4 limits.
const (
	MaxLookups     = 10 // DNS-querying terms per check_host evaluation
	MaxVoidLookups = 2  // lookups answering NXDOMAIN or nothing
	maxMXHosts     = 10 // address lookups per mx mechanism
)

// Bounds of the walk, well past the limits so that the tree of a record
// over the limit is still shown, but finite whatever the records say.
const (
	maxTreeDepth   = 10
	maxFetched     = 40 // SPF records fetched per check
	maxTXTLength   = 255
	maxRecordBytes = 4096
)

// SPFReport is the audit of a domain's SPF record.
type SPFReport struct {
	// Record is the domain's SPF record, "" when it publishes none.
	Record string `json:"record"`
	// Lookups counts the DNS-querying terms (include, a, mx, ptr, exists,
	// redirect) of the record and of every record it includes or
	// redirects to. check_host stops at the first match, so a real
	// evaluation may use fewer; a total over 10 is a permerror for the
	// senders that reach the end.
	Lookups int `json:"lookups"`
	// VoidLookups counts the lookups that found nothing.
	VoidLookups int       `json:"void_lookups"`
	Tree        *SPFNode  `json:"tree,omitempty"`
	Findings    []Finding `json:"findings"`
}

// SPFNode is one record of the include tree.
type SPFNode struct {
	Domain string `json:"domain"`
	// Via is how the parent reached it: "include" or "redirect"; "" for
	// the domain itself.
	Via    string `json:"via,omitempty"`
	Record string `json:"record,omitempty"`
	// Lookups counts this record's own DNS-querying terms; BranchLookups
	// adds those of every record below it.
	Lookups       int        `json:"lookups"`
	BranchLookups int        `json:"branch_lookups"`
	VoidLookups   int        `json:"void_lookups"`
	Children      []*SPFNode `json:"children,omitempty"`
	// Error says why the record could not be read or followed.
	Error string `json:"error,omitempty"`
}

// spfWalker walks an include tree.
type spfWalker struct {
	ctx     context.Context
	r       auth.Resolver
	f       *findings
	fetched int
}

// CheckSPF audits the SPF record of domain. err is set only when the
// domain's own record could not be fetched (a DNS failure, not a missing
// record): the check could not run.
func CheckSPF(ctx context.Context, r auth.Resolver, domain string) (SPFReport, error) {
	var rep SPFReport
	var f findings
	records, err := spfRecords(ctx, r, domain)
	if err != nil {
		return rep, fmt.Errorf("SPF record of %s: %w", domain, err)
	}
	switch len(records) {
	case 0:
		f.add(SeverityWarning, "spf-none", "%s publishes no SPF record: receivers get \"none\" and DMARC can pass only through DKIM", domain)
		rep.Findings = f.list()
		return rep, nil
	case 1:
	default:
		f.add(SeverityError, "spf-multiple", "%s publishes %d SPF records; RFC 7208 §4.5 makes that a permerror", domain, len(records))
	}
	rep.Record = records[0]
	w := &spfWalker{ctx: ctx, r: r, f: &f}
	rep.Tree = w.node(domain, "", records[0], 0, map[string]bool{strings.ToLower(domain): true}, true)
	rep.Lookups, rep.VoidLookups = rep.Tree.BranchLookups, sumVoid(rep.Tree)
	switch {
	case rep.Lookups > MaxLookups:
		f.add(SeverityError, "spf-lookup-limit", "the record needs %d DNS-querying terms; over %d is a permerror (RFC 7208 §4.6.4): flatten or drop includes", rep.Lookups, MaxLookups)
	case rep.Lookups >= MaxLookups-1:
		f.add(SeverityWarning, "spf-lookup-near", "the record needs %d of the %d DNS-querying terms allowed; one more include breaks it", rep.Lookups, MaxLookups)
	}
	if rep.VoidLookups > MaxVoidLookups {
		f.add(SeverityError, "spf-void-limit", "%d lookups find nothing; over %d is a permerror (RFC 7208 §4.6.4)", rep.VoidLookups, MaxVoidLookups)
	}
	rep.Findings = f.list()
	return rep, nil
}

// spfRecords returns the SPF records among the TXT records of domain;
// none when the name or the records do not exist.
func spfRecords(ctx context.Context, r auth.Resolver, domain string) ([]string, error) {
	return txtRecords(ctx, r, domain, isSPFRecord)
}

func sumVoid(n *SPFNode) int {
	v := n.VoidLookups
	for _, c := range n.Children {
		v += sumVoid(c)
	}
	return v
}

// node audits one record and walks into the records it names. top is set
// for the domain's own record and the records it redirects to, where the
// final "all" decides the result for everyone.
func (w *spfWalker) node(domain, via, record string, depth int, path map[string]bool, top bool) *SPFNode {
	n := &SPFNode{Domain: domain, Via: via, Record: record}
	if len(record) > maxTXTLength {
		w.f.add(SeverityWarning, "spf-long", "the SPF record of %s is %d bytes: a TXT string holds 255, so it must be published as several strings (RFC 7208 §3.3); DNS panels that do not split it truncate or refuse it", domain, len(record))
	}
	terms, errs := parseSPF(record)
	for _, err := range errs {
		w.f.add(SeverityError, "spf-syntax", "%s: %v (a permerror for every sender)", domain, err)
	}
	hasAll, redirect := false, ""
	for _, t := range terms {
		if t.queriesDNS() {
			n.Lookups++
		}
		switch {
		case t.modifier && t.name == "redirect":
			redirect = t.arg
		case t.name == "all":
			hasAll = true
			w.flagAll(domain, t, top)
		case t.name == "ptr":
			w.f.add(SeverityWarning, "spf-ptr", "%s uses ptr, which is slow and unreliable; RFC 7208 §5.5 says not to use it", domain)
		case t.name == "include":
			n.Children = append(n.Children, w.follow(t.arg, "include", depth, path))
		case t.name == "a", t.name == "mx", t.name == "exists":
			n.VoidLookups += w.voidCheck(domain, t)
		}
	}
	if redirect != "" {
		if hasAll {
			w.f.add(SeverityWarning, "spf-redirect-ignored", "%s has both \"all\" and redirect=; the redirect is never used", domain)
		} else {
			c := w.follow(redirect, "redirect", depth, path)
			n.Children = append(n.Children, c)
		}
	}
	if top && !hasAll && redirect == "" && len(errs) == 0 {
		w.f.add(SeverityInfo, "spf-no-all", "%s ends without \"all\": unlisted senders get neutral; end with ~all or -all", domain)
	}
	n.BranchLookups = n.Lookups
	for _, c := range n.Children {
		n.BranchLookups += c.BranchLookups
	}
	return n
}

func (w *spfWalker) flagAll(domain string, t spfTerm, top bool) {
	switch {
	case t.qualifier == '+':
		w.f.add(SeverityError, "spf-plus-all", "%s ends with +all: every host on the Internet may send as this domain", domain)
	case t.qualifier == '?' && top:
		w.f.add(SeverityWarning, "spf-neutral-all", "%s ends with ?all: unlisted senders get neutral, which protects nothing; use ~all or -all", domain)
	}
}

// follow fetches and walks the record an include or redirect names.
func (w *spfWalker) follow(target, via string, depth int, path map[string]bool) *SPFNode {
	n := &SPFNode{Domain: target, Via: via}
	key := strings.ToLower(strings.TrimSuffix(target, "."))
	switch {
	case hasMacro(target):
		n.Error = "uses macros; not followed"
		w.f.add(SeverityInfo, "spf-macro", "%s:%s depends on the sender and cannot be counted statically", via, target)
		return n
	case path[key]:
		n.Error = "loop"
		w.f.add(SeverityError, "spf-loop", "%s:%s loops back to a record already being evaluated: a permerror", via, target)
		return n
	case depth >= maxTreeDepth || w.fetched >= maxFetched:
		n.Error = "not followed: the tree is too deep or too large"
		return n
	}
	w.fetched++
	records, err := spfRecords(w.ctx, w.r, target)
	switch {
	case err != nil:
		n.Error = "lookup failed: " + err.Error()
		w.f.add(SeverityWarning, "spf-lookup-failed", "could not fetch the SPF record of %s (%v); the counts are incomplete", target, err)
		return n
	case len(records) == 0:
		n.Error = "no SPF record"
		n.VoidLookups = 1
		w.f.add(SeverityError, "spf-include-missing", "%s:%s has no SPF record: a permerror wherever it is reached", via, target)
		return n
	case len(records) > 1:
		n.Error = "several SPF records"
		w.f.add(SeverityError, "spf-multiple", "%s publishes %d SPF records: a permerror wherever it is reached", target, len(records))
	}
	path[key] = true
	defer delete(path, key)
	c := w.node(target, via, records[0], depth+1, path, via == "redirect")
	c.Error = n.Error
	return c
}

// voidCheck looks up the target of an a, mx or exists term and returns 1
// when it finds nothing (a void lookup); it also checks the RFC 7208
// §4.6.4 limit of 10 MX hosts.
func (w *spfWalker) voidCheck(domain string, t spfTerm) int {
	target := t.arg
	if target == "" {
		target = domain
	}
	if hasMacro(target) {
		return 0
	}
	var err error
	found := 0
	switch t.name {
	case "a", "exists":
		ips, e := w.r.LookupIPAddr(w.ctx, target)
		found, err = len(ips), e
	case "mx":
		mxs, e := w.r.LookupMX(w.ctx, target)
		found, err = len(mxs), e
		if len(mxs) > maxMXHosts {
			w.f.add(SeverityError, "spf-mx-hosts", "%s: mx:%s has %d hosts; more than %d address lookups is a permerror", domain, target, len(mxs), maxMXHosts)
		}
	}
	if err != nil && !auth.IsNotFound(err) {
		return 0 // a temporary failure is not a void lookup
	}
	if found == 0 {
		if t.name != "exists" {
			w.f.add(SeverityWarning, "spf-void", "%s: %s:%s finds no address; each such lookup counts toward the limit of 2 void lookups", domain, t.name, target)
		}
		return 1
	}
	return 0
}
