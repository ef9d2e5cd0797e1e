package auth

import (
	"context"
	"strings"
	"sync"

	"mxaudit/model"
)

// MaxWalkQueries caps the DNS queries of one DMARC tree walk: RFC 9989
// §4.10 shortens a name of eight or more labels to seven after the first
// query, so no walk needs more than eight.
const MaxWalkQueries = 8

// DiscoveryTreeWalk is the model.DMARCResult.Discovery value of RFC 9989
// policy discovery.
const DiscoveryTreeWalk = "tree-walk"

// foundRecord is a single DMARC record the walk found at a domain.
type foundRecord struct {
	domain string
	rec    dmarcRecord
}

// TreeWalk is the outcome of one DNS Tree Walk (RFC 9989 §4.10) from a
// starting domain towards the root.
type TreeWalk struct {
	// Start is the domain the walk started at.
	Start string
	// Lookups are the questions asked, in order.
	Lookups []model.DMARCLookup
	// Complete is false when a temporary DNS error stopped the walk: what
	// it found is then a lower bound.
	Complete bool
	found    []foundRecord // single DMARC records, longest name first
}

// walkNames lists the domains a walk from domain asks about, at most
// MaxWalkQueries: the domain itself, then (§4.10 step 4) its parent — or,
// for eight labels or more, its last seven labels — and from there one
// label less each time down to a single label.
func walkNames(domain string) []string {
	labels := strings.Split(domain, ".")
	names := []string{domain}
	next := len(labels) - 1
	if len(labels) >= 8 {
		next = 7
	}
	for n := next; n >= 1; n-- {
		names = append(names, strings.Join(labels[len(labels)-n:], "."))
	}
	return names
}

// walkTree performs the DNS Tree Walk from domain: it asks for
// _dmarc.<name> for each name of walkNames, discards non-DMARC TXT records
// and names publishing several DMARC records (§4.10 steps 2 and 6), and
// stops at a single record carrying psd=y or psd=n, or at a temporary
// error.
func walkTree(ctx context.Context, res Resolver, domain string) TreeWalk {
	w := TreeWalk{Start: domain, Complete: true}
	for _, name := range walkNames(domain) {
		q := "_dmarc." + name
		txts, err := res.LookupTXT(ctx, q)
		if err != nil && !IsNotFound(err) {
			w.Lookups = append(w.Lookups, model.DMARCLookup{Name: q, Status: model.LookupTempError})
			w.Complete = false
			return w
		}
		var recs []string
		for _, t := range txts {
			if isDMARCRecord(t) {
				recs = append(recs, t)
			}
		}
		switch len(recs) {
		case 0:
			w.Lookups = append(w.Lookups, model.DMARCLookup{Name: q, Status: model.LookupNone})
			continue
		case 1:
		default:
			w.Lookups = append(w.Lookups, model.DMARCLookup{Name: q, Status: model.LookupMultiple, Record: strings.Join(recs, " | ")})
			continue
		}
		rec := parseDMARCRecord(recs[0])
		w.Lookups = append(w.Lookups, model.DMARCLookup{Name: q, Status: model.LookupFound, Record: recs[0]})
		w.found = append(w.found, foundRecord{domain: name, rec: rec})
		if rec.psd == "y" || rec.psd == "n" {
			return w
		}
	}
	return w
}

// OrgDomain selects the organizational domain from the records the walk
// found, longest name first (RFC 9989 §4.10.2): a psd=n record's domain;
// else, for a psd=y record other than at the start, the domain one label
// below it; else the record with the fewest labels; else the start.
func (w TreeWalk) OrgDomain() string {
	for _, f := range w.found {
		switch {
		case f.rec.psd == "n":
			return f.domain
		case f.rec.psd == "y" && f.domain != w.Start:
			return oneLabelBelow(w.Start, f.domain)
		}
	}
	if len(w.found) > 0 {
		return w.found[len(w.found)-1].domain
	}
	return w.Start
}

// oneLabelBelow returns the ancestor of domain (or domain itself) that has
// one label more than parent.
func oneLabelBelow(domain, parent string) string {
	labels := strings.Split(domain, ".")
	n := strings.Count(parent, ".") + 2
	if n > len(labels) {
		return domain
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// policyRecord selects the record that applies to mail from the walk's
// start (RFC 9989 §4.10.1): the start's own record, else the
// organizational domain's, else the public suffix domain's (a psd=y
// record). ok is false when none applies. A record at the start is
// certain even when the walk then failed; any other choice needs the
// whole walk, so certain is false for an incomplete one.
func (w TreeWalk) policyRecord() (f foundRecord, ok, certain bool) {
	if len(w.found) > 0 && w.found[0].domain == w.Start {
		return w.found[0], true, true
	}
	if !w.Complete {
		return foundRecord{}, false, false
	}
	org := w.OrgDomain()
	for _, f := range w.found {
		if f.domain == org {
			return f, true, true
		}
	}
	for _, f := range w.found {
		if f.rec.psd == "y" {
			return f, true, true
		}
	}
	return foundRecord{}, false, true
}

// walkCache remembers complete walks for the life of a Checker (one scan),
// so that the thousands of messages of one domain walk once; concurrent
// callers for one domain share one walk. Incomplete walks are forgotten
// once done: asking again later may complete them.
type walkCache struct {
	mu    sync.Mutex
	walks map[string]*walkEntry
}

// walkEntry is one walk, done when done is closed.
type walkEntry struct {
	done chan struct{}
	w    TreeWalk
}

// walk returns the cached walk from domain or performs it.
func (c *walkCache) walk(ctx context.Context, res Resolver, domain string) TreeWalk {
	c.mu.Lock()
	if c.walks == nil {
		c.walks = map[string]*walkEntry{}
	}
	e, ok := c.walks[domain]
	if !ok {
		e = &walkEntry{done: make(chan struct{})}
		c.walks[domain] = e
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.w
		case <-ctx.Done():
			return TreeWalk{Start: domain, Lookups: []model.DMARCLookup{{Name: "_dmarc." + domain, Status: model.LookupTempError}}}
		}
	}
	e.w = walkTree(ctx, res, domain)
	if !e.w.Complete {
		c.mu.Lock()
		delete(c.walks, domain)
		c.mu.Unlock()
	}
	close(e.done)
	return e.w
}

// WalkDMARC performs the DNS Tree Walk of RFC 9989 §4.10 from domain (a
// normalised domain name) through res, for tools that show it (mxaudit
// check). It asks at most MaxWalkQueries questions.
func WalkDMARC(ctx context.Context, res Resolver, domain string) TreeWalk {
	return walkTree(ctx, res, domain)
}

// PolicyDomain returns the domain whose record applies to mail from the
// walk's start, "" when none does or the walk was cut short before it
// could tell.
func (w TreeWalk) PolicyDomain() string {
	f, ok, _ := w.policyRecord()
	if !ok {
		return ""
	}
	return f.domain
}
