package scan

import (
	"context"

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
		err = src.List(ctx, func(e mailsrc.Entry) error {
			if byID {
				seen[string(e.ID)] = true
			}
			return submit(job{entry: e})
		})
	}
	// Forget what the source no longer holds (released, deleted, or all of
	// it after a UIDVALIDITY change) — only after a complete listing.
	if err == nil && byID {
		opt.Cache.Prune(func(key string) bool { return seen[key] })
	}
	return err
}

// listThenSummaries lists the IDs (cheap: no message data), submits the
// cached results at once and fetches summaries of the others afterwards.
// The fetch waits for the end of the listing because both use the same
// connection.
func listThenSummaries(ctx context.Context, src mailsrc.Source, summarizer mailsrc.Summarizer, opt Options, seen map[string]bool, submit func(job) error) error {
	var misses []model.MessageID
	err := src.List(ctx, func(e mailsrc.Entry) error {
		key := string(e.ID)
		seen[key] = true
		if e.Err == nil {
			if m, ok := opt.Cache.Get(key); ok {
				return submit(job{entry: e, cached: &m})
			}
		}
		misses = append(misses, e.ID)
		return nil
	})
	if err != nil || len(misses) == 0 {
		return err
	}
	return summarizer.Summaries(ctx, misses, opt.NeedPart, func(s mailsrc.Summary) error {
		return submit(job{entry: s.Entry, summary: s.Message, cacheKey: string(s.Entry.ID)})
	})
}
