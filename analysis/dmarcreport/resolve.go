package dmarcreport

import (
	"context"
	"strings"
	"sync"

	"mxaudit/analysis/auth"
)

// resolveWorkers bounds the PTR queries in flight.
const resolveWorkers = 8

// ResolveNames fills in the ReverseDNS of every failing source in s with
// the first PTR name r returns for its address. Addresses without a name,
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
// that has one, without the trailing dot. A nil r (offline) asks nothing.
// It returns when every lookup is done or ctx ends.
func LookupNames(ctx context.Context, ips []string, r auth.Resolver) map[string]string {
	names := make(map[string]string, len(ips))
	if r == nil {
		return names
	}
	seen := make(map[string]bool)
	var list []string
	for _, ip := range ips {
		if !seen[ip] {
			seen[ip] = true
			list = append(list, ip)
		}
	}
	feed := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(resolveWorkers, len(list)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ip := range feed {
				ptrs, err := r.LookupAddr(ctx, ip)
				if err != nil || len(ptrs) == 0 {
					continue
				}
				mu.Lock()
				names[ip] = strings.TrimSuffix(ptrs[0], ".")
				mu.Unlock()
			}
		}()
	}
loop:
	for _, ip := range list {
		select {
		case feed <- ip:
		case <-ctx.Done():
			break loop
		}
	}
	close(feed)
	wg.Wait()
	return names
}
