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
	if r == nil {
		return
	}
	// The addresses are listed first: the workers write names while the
	// feeding loop below reads the list, never the map.
	seen := make(map[string]bool)
	var list []string
	for _, d := range s.Domains {
		for _, f := range d.FailingSources {
			if !seen[f.IP] {
				seen[f.IP] = true
				list = append(list, f.IP)
			}
		}
	}
	names := make(map[string]string, len(list))
	ips := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(resolveWorkers, len(list)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ip := range ips {
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
feed:
	for _, ip := range list {
		select {
		case ips <- ip:
		case <-ctx.Done():
			break feed
		}
	}
	close(ips)
	wg.Wait()
	for i := range s.Domains {
		for j := range s.Domains[i].FailingSources {
			f := &s.Domains[i].FailingSources[j]
			if n := names[f.IP]; n != "" {
				f.ReverseDNS = n
			}
		}
	}
}
