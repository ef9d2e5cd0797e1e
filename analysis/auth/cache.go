package auth

import (
	"context"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// DefaultTempErrorTTL is how long a CachingResolver remembers a timeout or
// SERVFAIL. Remembering it at all keeps a dead name server from costing the
// full query timeout on every one of thousands of messages; remembering it
// briefly lets a scan recover when the server comes back.
const DefaultTempErrorTTL = 30 * time.Second

// CachingResolver answers repeated questions from memory for the life of
// one scan. Answers and "not found" are kept for the whole scan (records do
// not change during a scan that matters); temporary failures for
// TempErrorTTL. Concurrent identical questions share one query. It is safe
// for concurrent use. Slices it returns are shared between callers and must
// not be modified.
type CachingResolver struct {
	next Resolver
	// TempErrorTTL is how long a temporary failure is remembered;
	// DefaultTempErrorTTL when zero. Set it before the first lookup.
	TempErrorTTL time.Duration
	// Now is the clock used for TempErrorTTL; time.Now when nil. Set it
	// before the first lookup.
	Now func() time.Time

	group   singleflight.Group
	mu      sync.Mutex
	entries map[string]cacheEntry

	lookups atomic.Int64
	queries atomic.Int64
}

// cacheEntry is one remembered answer or failure.
type cacheEntry struct {
	value   any
	err     error
	expires time.Time // zero: kept for the whole scan
}

// CacheStats counts what a CachingResolver did.
type CacheStats struct {
	// Lookups counts every question asked of the cache.
	Lookups int64
	// Queries counts the questions passed on to the wrapped resolver.
	Queries int64
	// Hits counts the questions answered from memory or by joining an
	// identical question already in flight: Lookups - Queries.
	Hits int64
}

// NewCachingResolver wraps r with a per-scan cache.
func NewCachingResolver(r Resolver) *CachingResolver {
	return &CachingResolver{next: r, entries: make(map[string]cacheEntry)}
}

// Stats reports how many questions were asked and how many reached the
// wrapped resolver.
func (c *CachingResolver) Stats() CacheStats {
	l, q := c.lookups.Load(), c.queries.Load()
	return CacheStats{Lookups: l, Queries: q, Hits: l - q}
}

func (c *CachingResolver) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// cachedLookup answers kind/name from memory, or runs fetch once for all
// concurrent callers and remembers its outcome. fetch runs detached from
// the first caller's cancellation (the wrapped resolver's own timeout
// bounds it) so that one caller giving up does not fail the others; each
// caller still stops waiting when its own context ends.
func cachedLookup[T any](c *CachingResolver, ctx context.Context, kind, name string, fetch func(context.Context) (T, error)) (T, error) {
	c.lookups.Add(1)
	key := kind + " " + strings.TrimSuffix(strings.ToLower(name), ".")
	var zero T
	if e, ok := c.cached(key); ok {
		if e.err != nil {
			return zero, e.err
		}
		return e.value.(T), nil
	}

	detached := context.WithoutCancel(ctx)
	ch := c.group.DoChan(key, func() (any, error) {
		// A flight for key may have finished between the look above and
		// this one starting: look again so it is not asked twice.
		if e, ok := c.cached(key); ok {
			return e.value, e.err
		}
		c.queries.Add(1)
		v, err := fetch(detached)
		entry := cacheEntry{value: v, err: err}
		if err != nil && !IsNotFound(err) {
			ttl := c.TempErrorTTL
			if ttl <= 0 {
				ttl = DefaultTempErrorTTL
			}
			entry.expires = c.now().Add(ttl)
		}
		c.mu.Lock()
		c.entries[key] = entry
		c.mu.Unlock()
		return v, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return zero, res.Err
		}
		return res.Val.(T), nil
	case <-ctx.Done():
		return zero, contextError(ctx, name, "")
	}
}

// ForgetTemporary drops every remembered temporary failure, so that the
// next question is asked again at once: what a "retry" after a DNS outage
// needs. Answers and "not found" stay cached.
func (c *CachingResolver) ForgetTemporary() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if !e.expires.IsZero() {
			delete(c.entries, k)
		}
	}
}

// cached returns the live entry for key.
func (c *CachingResolver) cached(key string) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && !e.expires.IsZero() && c.now().After(e.expires) {
		delete(c.entries, key)
		return cacheEntry{}, false
	}
	return e, ok
}

// LookupTXT implements Resolver.
func (c *CachingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	v, err := cachedLookup(c, ctx, "TXT", name, func(ctx context.Context) ([]string, error) {
		return c.next.LookupTXT(ctx, name)
	})
	return slices.Clip(v), err
}

// LookupMX implements Resolver.
func (c *CachingResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	v, err := cachedLookup(c, ctx, "MX", name, func(ctx context.Context) ([]*net.MX, error) {
		return c.next.LookupMX(ctx, name)
	})
	return slices.Clip(v), err
}

// LookupIPAddr implements Resolver.
func (c *CachingResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	v, err := cachedLookup(c, ctx, "IP", host, func(ctx context.Context) ([]net.IPAddr, error) {
		return c.next.LookupIPAddr(ctx, host)
	})
	return slices.Clip(v), err
}

// LookupAddr implements Resolver.
func (c *CachingResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	v, err := cachedLookup(c, ctx, "PTR", addr, func(ctx context.Context) ([]string, error) {
		return c.next.LookupAddr(ctx, addr)
	})
	return slices.Clip(v), err
}
