package scan

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// listJobs lists src and submits one job per message, choosing how:
//   - an IMAP source (a mailsrc.Summarizer) with a part selection streams
//     rebuilt summaries — or, with a warm cache, lists the IDs first and
//     fetches summaries of the messages missing from the cache only;
//   - any other source lists entries, which the workers open.
func listJobs(ctx context.Context, src mailsrc.Source, an Analyzer, opt Options, submit func(job) error) error {
	summarizer, isSummarizer := src.(mailsrc.Summarizer)
	_, canSummarize := an.(SummaryAnalyzer)
	summaries := opt.NeedPart != nil && isSummarizer && canSummarize
	byID := opt.Cache != nil && opt.CacheByID

	var seen map[string]bool
	if opt.Cache != nil {
		seen = map[string]bool{}
	}
	var err error
	switch {
	case summaries && byID && opt.CacheWarm:
		err = listThenSummaries(ctx, src, summarizer, opt, seen, submit)
	case summaries:
		err = summarizer.ListSummaries(ctx, opt.NeedPart, func(s mailsrc.Summary) error {
			j := job{entry: s.Entry, summary: s.Message}
			if byID {
				j.cacheKey = string(s.Entry.ID)
				seen[j.cacheKey] = true
			}
			return submit(j)
		})
	default:
		var listed stampSet
		err = src.List(ctx, func(e mailsrc.Entry) error {
			j := job{entry: e}
			switch {
			case byID:
				seen[string(e.ID)] = true
			case opt.Cache != nil && e.Stamp != "":
				// The stamp key, hashed once: the lookup uses it.
				sum := StampSum(e)
				listed.add(sum)
				j.cacheKey = StampKey(sum)
			}
			return submit(j)
		})
		if err == nil && opt.Cache != nil && !byID && !opt.Part {
			// The results of files no longer listed (released, deleted,
			// moved away, rewritten under another inode) are forgotten
			// after a complete listing, rather than kept until they age
			// out: a quarantine that turns over would otherwise keep a
			// cache index, and a file, several times its size. Only
			// stamp keys: a result under a content digest, a pairing
			// or a snapshot is not named by the listing.
			listed.sort()
			if opt.ListedTwice != nil && listed.holdsTwice() {
				opt.ListedTwice()
			}
			opt.Cache.PruneStamps(listed.has)
		}
	}
	// Forget what the source no longer holds (released, deleted, or all of
	// it after a UIDVALIDITY change) — only after a complete listing.
	if err == nil && byID && !opt.Part {
		// Remembered pairings (ppap-…) are not listed: they age out.
		opt.Cache.Prune(func(key string) bool { return seen[key] || strings.HasPrefix(key, "ppap-") })
	}
	return err
}

// stampSet is the stamp key digests of a listing, by their first 8
// bytes: 8 bytes a file (a million files cost 8 MB while listed), and
// two digests that share them (a chance of one in 2^64 a pair) only
// keep a result that could have gone.
type stampSet []uint64

func (s *stampSet) add(sum [sha256.Size]byte) { *s = append(*s, binary.BigEndian.Uint64(sum[:8])) }

func (s stampSet) sort() { slices.Sort(s) }

// holdsTwice reports whether a digest was added twice (or two share
// their first 8 bytes); s must be sorted.
func (s stampSet) holdsTwice() bool {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}

// has reports whether the set holds sum; s must be sorted.
func (s stampSet) has(sum [sha256.Size]byte) bool {
	_, found := slices.BinarySearch(s, binary.BigEndian.Uint64(sum[:8]))
	return found
}

// listThenSummaries lists the IDs (cheap: no message data), then goes
// through the listing in order, submitting cached results and fetching
// summaries of each run of consecutive misses. The order is the listing's
// — PPAP pairing depends on it — and the fetches wait for the end of the
// listing because both use the same connection.
func listThenSummaries(ctx context.Context, src mailsrc.Source, summarizer mailsrc.Summarizer, opt Options, seen map[string]bool, submit func(job) error) error {
	type listed struct {
		entry mailsrc.Entry
		hit   bool
	}
	var all []listed // the entries only: results are read when submitted
	err := src.List(ctx, func(e mailsrc.Entry) error {
		key := string(e.ID)
		seen[key] = true
		all = append(all, listed{entry: e, hit: e.Err == nil && opt.Cache.Has(key)})
		return nil
	})
	if err != nil {
		return err
	}
	var misses []model.MessageID
	fetch := func() error {
		if len(misses) == 0 {
			return nil
		}
		ids := misses
		misses = nil
		return summarizer.Summaries(ctx, ids, opt.NeedPart, func(s mailsrc.Summary) error {
			return submit(job{entry: s.Entry, summary: s.Message, cacheKey: string(s.Entry.ID)})
		})
	}
	for _, l := range all {
		var cached *model.Message
		if l.hit {
			if m, ok := opt.Cache.Get(string(l.entry.ID)); ok {
				cached = &m
			}
		}
		if cached == nil {
			if misses = append(misses, l.entry.ID); len(misses) >= summaryBatch {
				if err := fetch(); err != nil {
					return err
				}
			}
			continue
		}
		if err := fetch(); err != nil {
			return err
		}
		if err := submit(job{entry: l.entry, cached: cached}); err != nil {
			return err
		}
	}
	return fetch()
}

// summaryBatch is how many missing messages one Summaries call asks for.
const summaryBatch = 500
