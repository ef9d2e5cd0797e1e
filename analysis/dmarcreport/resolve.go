package dmarcreport

import (
	"context"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"mxaudit/analysis/auth"
)

// resolveWorkers bounds the PTR queries in flight: enough that a page of
// sources costs about one round trip, few enough not to flood a resolver.
const resolveWorkers = 16

// ResolveNames fills in the ReverseDNS of every failing source s ranks
// (TopSources per domain: the rows a summary shows, never every source of
// every record) with the first PTR name r returns for its address. Addresses without a name,
// or whose lookup fails, keep an empty ReverseDNS: the name is a help for
// the reader, never a verdict. It returns when every lookup is done or ctx
// ends.
func ResolveNames(ctx context.Context, s *Summary, r auth.Resolver) {
	var list []string
	for _, d := range s.Domains {
		for _, f := range d.FailingSources {
			list = append(list, f.IP)
		}
	}
	names := LookupNames(ctx, list, r)
	for i := range s.Domains {
		for j := range s.Domains[i].FailingSources {
			f := &s.Domains[i].FailingSources[j]
			if n := names[f.IP]; n != "" {
				f.ReverseDNS = n
			}
		}
	}
}

// ResolveNames fills in the ReverseDNS of every source of rd, as
// Summary's ResolveNames does.
func (rd *Readiness) ResolveNames(ctx context.Context, r auth.Resolver) {
	list := make([]string, len(rd.Sources))
	for i, s := range rd.Sources {
		list[i] = s.IP
	}
	names := LookupNames(ctx, list, r)
	for i := range rd.Sources {
		if n := names[rd.Sources[i].IP]; n != "" {
			rd.Sources[i].ReverseDNS = n
		}
	}
}

// LookupNames asks r for the PTR name of each distinct address of ips,
// resolveWorkers at a time, and returns the first name of each address
// that has one, without the trailing dot. Strings that are not IP
// addresses (a report may say anything) are not asked about, and a nil r
// (offline) asks nothing. Remembering answers, empty ones included, is
// r's business: the core hands in its auth.CachingResolver, so that an
// address is asked about once per process however often it is shown. It
// returns when every lookup is done or ctx ends.
func LookupNames(ctx context.Context, ips []string, r auth.Resolver) map[string]string {
	names := make(map[string]string, len(ips))
	if r == nil {
		return names
	}
	seen := make(map[string]bool, len(ips))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(resolveWorkers)
	for _, ip := range ips {
		if _, err := netip.ParseAddr(ip); err != nil || seen[ip] {
			continue
		}
		seen[ip] = true
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			ptrs, err := r.LookupAddr(ctx, ip)
			if err != nil || len(ptrs) == 0 {
				return nil // no name is no verdict
			}
			mu.Lock()
			names[ip] = strings.TrimSuffix(ptrs[0], ".")
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // the lookups report no error
	return names
}
