package auth

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"mxaudit/model"
)

// Config sets up a Checker.
type Config struct {
	// TrustedNetworks are the networks of the operator's internal relays
	// (SpamAssassin's trusted_networks): a Received hop whose client is
	// in one of them is internal, and the entry hop is looked for above
	// it. Loopback is always internal; no other network is by default,
	// private ranges included, so a hop from 10.0.0.5 is the entry hop
	// unless 10.0.0.0/8 is listed here. See ParseNetworks.
	TrustedNetworks []netip.Prefix
	// TrustedHosts are the host names of the operator's own mail servers.
	// They are the authserv-ids whose Authentication-Results fields count,
	// and the "by" hosts of the Received fields that give SPF its client
	// address and HELO. Compared without case.
	TrustedHosts []string
	// Offline takes every result from trusted header fields and makes no
	// DNS query at all.
	Offline bool
	// Resolver answers every DNS question of SPF, DKIM and DMARC. When nil
	// (and not Offline), the system resolver behind a per-checker cache is
	// used. Wrap it in a CachingResolver to share a cache across a scan.
	Resolver Resolver
	// Now is the clock that signature expiry (DKIM x=) is judged by; the
	// DKIM library also checks x= against the real clock, so a later Now
	// can expire a signature but an earlier one cannot revive it.
	// time.Now when nil.
	Now func() time.Time
}

// Checker computes the authentication results of messages. It is safe for
// concurrent use.
type Checker struct {
	trusted  hostSet
	networks []netip.Prefix
	walks    walkCache // RFC 9989 tree walks, per Checker (one scan)
	offline  bool
	resolver Resolver
	now      func() time.Time

	// trustedAddrs are the trusted hosts' own addresses, looked up once:
	// a hop whose client is one of them is internal (mx1 relaying to mx2).
	addrsOnce    sync.Once
	trustedAddrs map[string]bool
}

// internalIP returns the test for "this client address is one of our
// relays": in a trusted network, or one of the trusted hosts' own
// addresses (looked up on first use; not offline).
func (c *Checker) internalIP(ctx context.Context) func(net.IP) bool {
	hosts := c.trustedHostIP(ctx)
	return func(ip net.IP) bool {
		return inNetworks(c.networks, ip) || (hosts != nil && hosts(ip))
	}
}

// trustedHostIP returns the test for "this client address is one of our
// trusted hosts", looking their addresses up on first use; nil offline.
func (c *Checker) trustedHostIP(ctx context.Context) func(net.IP) bool {
	if c.offline || c.resolver == nil || len(c.trusted) == 0 {
		return nil
	}
	c.addrsOnce.Do(func() {
		addrs := map[string]bool{}
		for host := range c.trusted {
			ips, err := c.resolver.LookupIPAddr(ctx, host)
			if err != nil {
				continue // a trusted name without an address relays nothing
			}
			for _, ip := range ips {
				addrs[ip.IP.String()] = true
			}
		}
		c.trustedAddrs = addrs
	})
	return func(ip net.IP) bool { return c.trustedAddrs[ip.String()] }
}

// NewChecker returns a Checker for cfg.
func NewChecker(cfg Config) *Checker {
	c := &Checker{
		trusted:  newHostSet(cfg.TrustedHosts),
		networks: cfg.TrustedNetworks,
		offline:  cfg.Offline,
		resolver: cfg.Resolver,
		now:      cfg.Now,
	}
	if c.resolver == nil && !c.offline {
		c.resolver = NewCachingResolver(NewDNSResolver("", DefaultQueryTimeout))
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// HeaderOnly reports whether Check's answer depends on the header section
// alone: an offline checker takes every result from trusted header fields
// and hashes no body. Check still reads its input to the end, but a
// caller that reads the message anyway may hand it the header section
// alone (up to and including the first line that holds only line-end
// characters), followed by the end or the failure of its stream
// (analysis.Analyzer does).
func (c *Checker) HeaderOnly() bool { return c.offline }

// readerPool recycles the buffered readers of Check: a scan checks
// thousands of messages, and a fresh buffer each time is measurable.
var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}

// readErrorRecorder remembers the first error of the underlying reader
// other than EOF, so that a broken source is told apart from a broken
// message.
type readErrorRecorder struct {
	r   io.Reader
	err error
}

func (e *readErrorRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// Check computes the authentication results of the message read from raw
// (header and body). It always reads raw to its end, so a caller may feed
// it through an io.Pipe while parsing the same bytes elsewhere. The error
// is for a failed read or a header section over MaxHeaderBytes; problems
// of the message itself become results (permerror and reasons).
func (c *Checker) Check(ctx context.Context, raw io.Reader) (*model.Auth, error) {
	src := &readErrorRecorder{r: raw}
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(src)
	defer func() {
		_, _ = io.Copy(io.Discard, br)
		br.Reset(nil)
		readerPool.Put(br)
	}()

	h, err := readHeaderInto(getHeader(), br)
	defer putHeader(h)
	if err != nil {
		_, _ = io.Copy(io.Discard, br)
		if src.err != nil {
			return nil, fmt.Errorf("reading message: %w", src.err)
		}
		return nil, err
	}
	m := c.collect(ctx, h)
	a := &model.Auth{IgnoredHeaders: m.ignored}

	if c.offline {
		c.fromHeaders(a, m)
	} else {
		c.live(ctx, a, m, h, br)
	}
	_, _ = io.Copy(io.Discard, br)
	if src.err != nil {
		return nil, fmt.Errorf("reading message: %w", src.err)
	}
	a.Source = overallSource(a, c.offline)
	return a, nil
}

// messageFacts is what the checks need from the header section.
type messageFacts struct {
	trustedAR []arHeader
	ignored   []string
	from      string
	fromErr   error
	spf       spfInput
	sigs      []signatureTags
}

// collect reads the header fields the checks need.
func (c *Checker) collect(ctx context.Context, h *messageHeader) messageFacts {
	var m messageFacts
	hop, haveHop := boundaryHop(h, c.trusted, c.internalIP(ctx))
	// An Authentication-Results field counts only when a trusted host
	// wrote it: its authserv-id is ours AND it sits above the hop where
	// the message entered our systems. Anything below that hop came with
	// the message, and our host names are no secret.
	for i, f := range h.fields {
		if f.name != "authentication-results" {
			continue
		}
		ar := parseAuthResults(f.value)
		switch {
		case ar.authservID == "":
			m.ignored = appendOnce(m.ignored, "(no authserv-id)")
		case c.trusted.has(ar.authservID) && haveHop && i < hop.index:
			m.trustedAR = append(m.trustedAR, ar)
		case c.trusted.has(ar.authservID):
			m.ignored = appendOnce(m.ignored, ar.authservID+" (below the entry hop: written by the sender)")
		default:
			m.ignored = appendOnce(m.ignored, ar.authservID)
		}
	}
	m.from, m.fromErr = fromDomain(h)
	rspf, haveRSPF := trustedReceivedSPF(h, hop, haveHop)
	sender, haveSender := envelopeSender(h, hop, haveHop)
	m.spf = spfInput{hop: hop, haveHop: haveHop, sender: sender, haveSender: haveSender,
		trustedAR: m.trustedAR, receivedSPF: rspf, haveRSPF: haveRSPF}
	for _, v := range h.all("dkim-signature") {
		m.sigs = append(m.sigs, parseSignatureTags(v))
	}
	return m
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// live computes SPF, DKIM and DMARC through the resolver. SPF and the DMARC
// policy lookup run while DKIM reads the body.
func (c *Checker) live(ctx context.Context, a *model.Auth, m messageFacts, h *messageHeader, body io.Reader) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.SPF = c.spf(ctx, m)
	}()
	var pol dmarcPolicy
	if m.fromErr == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pol = discoverDMARC(ctx, c.resolver, &c.walks, m.from)
		}()
	}
	a.DKIM = c.dkim(ctx, m, h, body)
	wg.Wait()
	orgOf := func(domain string) (string, bool) {
		w := pol.walk
		if domain != w.Start {
			w = c.walks.walk(ctx, c.resolver, domain)
		}
		return w.OrgDomain(), w.Complete
	}
	a.DMARC = evaluateDMARC(m.from, m.fromErr, pol, orgOf, &a.SPF, a.DKIM)
}

// spf evaluates SPF live, or takes it from trusted headers when the client
// address or envelope sender is unknown.
func (c *Checker) spf(ctx context.Context, m messageFacts) model.SPFResult {
	if r, ok := checkSPFLive(ctx, c.resolver, m.spf); ok {
		return r
	}
	if r, ok := spfFromHeaders(m.spf); ok {
		return r
	}
	return spfUnknown(m.spf)
}

// spfUnknown explains why SPF could not be checked at all.
func spfUnknown(in spfInput) model.SPFResult {
	r := model.SPFResult{}
	switch {
	case !in.haveHop:
		r.Reason = "client address unknown: no Received header from a trusted host, and no trusted Authentication-Results or Received-SPF"
	case in.hop.ip == nil:
		r.Reason = "client address unknown: the trusted Received header names none, and no trusted Authentication-Results or Received-SPF"
	default:
		r.IP, r.Helo = in.hop.ip.String(), in.hop.helo
		r.Reason = "envelope sender unknown: no Return-Path header, and no trusted Authentication-Results or Received-SPF"
	}
	return r
}

// dkim verifies the signatures live when the body is there; signatures
// that cannot be verified take their result from trusted headers.
func (c *Checker) dkim(ctx context.Context, m messageFacts, h *messageHeader, body io.Reader) []model.DKIMResult {
	if len(m.sigs) == 0 {
		return []model.DKIMResult{}
	}
	if !h.complete {
		return unverifiable(m, "not verified: the message body was not provided")
	}
	results, err := verifyDKIM(ctx, c.resolver, io.MultiReader(bytes.NewReader(h.raw), body), m.sigs, c.now())
	if err != nil {
		return unverifiable(m, fmt.Sprintf("not verified: the message could not be read for verification (%v)", err))
	}
	return results
}

// unverifiable reports signatures that could not be verified: the trusted
// Authentication-Results dkim= results when there are any, else one
// neutral result per signature with the reason.
func unverifiable(m messageFacts, reason string) []model.DKIMResult {
	if hdr := dkimFromHeaders(m.trustedAR); len(hdr) > 0 {
		return hdr
	}
	out := make([]model.DKIMResult, len(m.sigs))
	for i, s := range m.sigs {
		out[i] = model.DKIMResult{Result: model.ResultNeutral, Domain: s.domain, Selector: s.selector,
			Algorithm: s.algorithm, Reason: reason}
	}
	return out
}

// fromHeaders fills a from trusted header fields only, without DNS.
func (c *Checker) fromHeaders(a *model.Auth, m messageFacts) {
	if r, ok := spfFromHeaders(m.spf); ok {
		a.SPF = r
	} else {
		a.SPF = spfUnknown(m.spf)
		a.SPF.Reason = "offline: no trusted Authentication-Results or Received-SPF reports SPF"
	}
	a.DKIM = []model.DKIMResult{}
	if len(m.sigs) > 0 || len(dkimFromHeaders(m.trustedAR)) > 0 {
		a.DKIM = unverifiable(m, "offline: not verified, and no trusted Authentication-Results reports it")
	}
	if d, ok := dmarcFromHeaders(m.trustedAR, m.from, m.fromErr, &a.SPF, a.DKIM); ok {
		a.DMARC = d
		return
	}
	pol := dmarcPolicy{status: model.ResultNone,
		reason: "offline: no trusted Authentication-Results reports DMARC, and the policy was not looked up"}
	a.DMARC = evaluateDMARC(m.from, m.fromErr, pol, pslOrg, &a.SPF, a.DKIM)
	a.DMARC.Source = model.SourceHeader
}

// overallSource says whether the results were computed live, taken from
// headers, or both.
func overallSource(a *model.Auth, offline bool) model.AuthSource {
	var sources []model.AuthSource
	if a.SPF.Source != "" {
		sources = append(sources, a.SPF.Source)
	}
	for _, k := range a.DKIM {
		if k.Source != "" {
			sources = append(sources, k.Source)
		}
	}
	if a.DMARC.Source != "" {
		sources = append(sources, a.DMARC.Source)
	}
	if len(sources) == 0 {
		if offline {
			return model.SourceHeader
		}
		return model.SourceLive
	}
	out := sources[0]
	for _, s := range sources[1:] {
		if s != out {
			return model.SourceMixed
		}
	}
	return out
}
