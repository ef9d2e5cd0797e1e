// Package scan runs the analysis over a whole source: it lists the source,
// analyses messages on several cores at once and hands the results back in
// listing order, streaming, with a bounded number of messages in flight so
// that memory does not grow with the size of the quarantine.
package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Analyzer turns one raw message into its summary and verdicts. It must be
// safe for concurrent use and must not keep raw after it returns.
type Analyzer interface {
	Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message
}

// SummaryAnalyzer is implemented by analyzers that can judge a message a
// source rebuilt from its structure (mailsrc.Summary).
type SummaryAnalyzer interface {
	AnalyzeSummary(ctx context.Context, id model.MessageID, msg []byte) model.Message
}

// Options tune a scan. The zero value is ready to use.
type Options struct {
	// Workers is the number of messages analysed at once; 0 means one per
	// CPU.
	Workers int
	// Warn is told about listed files that are not mail (and are skipped).
	// It is called from the goroutine that calls emit.
	Warn func(mailsrc.Entry)
	// Progress, when set, is called from the emitting goroutine after each
	// message with how many were listed and how many analysed so far.
	Progress func(Progress)
	// NeedPart, when set, lets a source that is a mailsrc.Summarizer (IMAP)
	// deliver rebuilt messages in batches, with the bodies of only the
	// parts NeedPart selects, instead of each message whole; the analyzer
	// must then be a SummaryAnalyzer.
	NeedPart func(model.PartInfo) bool
	// Cache, when set, keeps analysis results between scans: a message
	// found in it is not fetched or analysed again. Keys are the message
	// IDs when CacheByID is set (IMAP: UIDVALIDITY/UID names one message
	// for good), else the SHA-256 of the raw message (a file's name says
	// nothing about its content).
	Cache     Cache
	CacheByID bool
	// CacheWarm says the cache holds entries; with a cold cache an IMAP
	// scan streams summaries at once instead of listing first.
	CacheWarm bool
	// Encoded lets results found in the cache be emitted encoded, with
	// only their head decoded (model.Encoded), when the cache can give
	// them so (EncodedCache): for a consumer that prints JSON and calls
	// Materialize before it reads anything else. A result that the scan
	// must change (another ID, a delivery date, the listing's warning) is
	// decoded whole.
	Encoded bool
	// DecodeWhole, when set, names the encoded results (Encoded), by
	// their encoded form, that the consumer decodes whole as soon as it
	// receives them (PPAP pairing reads the archives of every mail that
	// may hold an encrypted one, ppap.ReadsWhole): the workers decode
	// those, in parallel, rather than the consumer, which takes the
	// results one at a time in listing order. It is called from the
	// workers at once: it must be safe for concurrent use and must not
	// change what it is given. It is given the encoded form, not the
	// message, which would then be copied to the heap for every result.
	DecodeWhole func(*model.Encoded) bool
	// Settled, when set, is called from the emitting goroutine with each
	// listed entry, in listing order, just before its message is emitted
	// (or the entry skipped): its result is in the cache by then, the
	// scan having put what it analysed. A scan's snapshot (ui/app) hashes
	// the refs of the results here, as they come, instead of keeping
	// every entry's key to look them up at the end. Once emit has failed
	// no entry is settled: Run returns emit's error.
	Settled func(mailsrc.Entry)
	// ListedTwice, when set, is called from the listing goroutine once a
	// complete listing of files with stamps has listed one of them twice
	// (the same name and stamp: a file renamed as it was listed, say).
	// The two are analysed at once and may be cached in either order, so
	// that a scan's snapshot cannot tell which result its pairing read.
	ListedTwice func()
	// Part says the source lists part of what it holds (the rest of a
	// listing, say): the cache then forgets no result of a file that is
	// not listed.
	Part bool
}

// Progress reports how far a scan has got.
type Progress struct {
	Listed   int // messages found by the listing so far
	Analysed int // messages emitted so far
	// Cached counts the emitted messages whose result came from the
	// cache: the others were read and analysed.
	Cached  int
	Skipped int  // files skipped as not mail
	Done    bool // the listing has finished: Listed is the total
}

// Run lists src and analyses every message with an, calling emit with each
// result in listing order from a single goroutine (the caller's). Entries
// the source could not read become messages whose Error is set; entries
// that are not mail are passed to Options.Warn and skipped.
//
// Run returns the listing's error when the source could not be read, emit's
// error when emit fails (the scan stops), or ctx.Err().
func Run(ctx context.Context, src mailsrc.Source, an Analyzer, opt Options, emit func(model.Message) error) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The window bounds messages in flight: listed but not yet emitted.
	// A slow message (a large attachment) holds back emission, so the
	// window must be wide enough to keep the other workers busy meanwhile,
	// and narrow enough to keep memory flat.
	window := workers * 16
	slots := make(chan struct{}, window)
	jobs := make(chan job)
	results := make(chan outcome, window)

	var (
		listErr error
		listed  counter
	)
	go func() {
		defer close(jobs)
		seq := 0
		submit := func(j job) error {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			j.seq = seq
			select {
			case jobs <- j:
			case <-ctx.Done():
				<-slots
				return ctx.Err()
			}
			seq++
			listed.set(seq, false)
			return nil
		}
		listErr = listJobs(ctx, src, an, opt, submit)
		listed.set(seq, true)
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				results <- analyseOne(ctx, src, an, opt, j)
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var (
		pending = newReorder(window)
		next    int
		prog    Progress
		emitErr error
	)
	for r := range results {
		pending.put(r)
		for {
			o, ok := pending.take(next)
			if !ok {
				break
			}
			next++
			<-slots
			if emitErr != nil {
				continue // drain so that the workers can finish
			}
			if opt.Settled != nil {
				opt.Settled(o.entry)
			}
			if o.skip {
				prog.Skipped++
				if opt.Warn != nil {
					opt.Warn(o.entry)
				}
			} else {
				prog.Analysed++
				if o.cached {
					prog.Cached++
				}
				if err := emit(o.msg); err != nil {
					emitErr = err
					cancel()
				}
			}
			if opt.Progress != nil {
				prog.Listed, prog.Done = listed.get()
				opt.Progress(prog)
			}
		}
	}
	// Only emit's failure cancels ctx from inside Run, so a cancelled
	// listing otherwise means the caller's context ended.
	if emitErr != nil {
		return emitErr
	}
	if listErr != nil {
		return listErr
	}
	if err := parent.Err(); err != nil {
		// Cancelled after the listing ended: the last results were
		// analysed with a dead context and are not to be trusted.
		return err
	}
	if opt.Progress != nil {
		prog.Listed, prog.Done = listed.get()
		opt.Progress(prog)
	}
	return nil
}

type job struct {
	seq   int
	entry mailsrc.Entry
	// summary is the rebuilt message of a Summarizer; nil when the
	// message is to be opened whole.
	summary []byte
	// cached is the message's result from the cache, when it was there.
	cached *model.Message
	// cacheKey is where the result is to be cached ("" when unknown yet).
	cacheKey string
}

type outcome struct {
	seq    int
	entry  mailsrc.Entry
	msg    model.Message
	skip   bool
	cached bool // msg is the cache's result
}

func analyseOne(ctx context.Context, src mailsrc.Source, an Analyzer, opt Options, j job) outcome {
	o := outcome{seq: j.seq, entry: j.entry}
	e := j.entry
	if e.Err != nil {
		if errors.Is(e.Err, mailsrc.ErrNotMail) {
			o.skip = true
			return o
		}
		o.msg = ErrorMessage(e.ID, e.Size, e.Err)
		return o
	}
	if ctx.Err() != nil {
		o.msg = ErrorMessage(e.ID, e.Size, ctx.Err())
		return o
	}
	// The cached result is held here, not behind a pointer, which made
	// a heap copy of every message a warm scan read.
	var cached model.Message
	hit := j.cached != nil
	if hit {
		cached = *j.cached
	} else if j.summary == nil && opt.Cache != nil {
		cached, j.cacheKey, hit = lookup(ctx, src, opt, e, j.cacheKey)
	}
	if c := &cached; hit && c.IsEncoded() && (c.ID != e.ID || e.Warning != "" || c.Date.IsZero() && !e.Received.IsZero() ||
		opt.DecodeWhole != nil && opt.DecodeWhole(c.Encoded)) {
		// The scan changes this result, or the consumer reads all of it:
		// decode it whole (or, should it not decode, analyse the message
		// again).
		if c.Materialize() != nil {
			hit = false
			if lc, ok := opt.Cache.(ListedCache); ok {
				lc.Dropped(e)
			}
		}
	}
	switch {
	case hit:
		o.msg, o.cached = cached, true
		o.msg.ID = e.ID // a content-keyed result may come from a copy elsewhere
	case j.summary != nil:
		o.msg = an.(SummaryAnalyzer).AnalyzeSummary(ctx, e.ID, j.summary)
		if e.Size > 0 {
			o.msg.Size = e.Size // the stored message, not the rebuilt one
		}
	default:
		rc, err := src.Open(ctx, e.ID)
		if err != nil {
			o.msg = ErrorMessage(e.ID, e.Size, err)
			return o
		}
		var raw io.Reader = rc
		var h hash.Hash
		if j.cacheKey != "" && !opt.CacheByID && e.Stamp == "" {
			// Key the result by the bytes analysed, not by those hashed at
			// lookup: a file rewritten in between must not get the other
			// content's verdict.
			h = sha256.New()
			raw = io.TeeReader(rc, h)
		}
		o.msg = an.Analyze(ctx, e.ID, raw)
		if o.msg.Date.IsZero() && e.Received.IsZero() {
			// A listing that reads no metadata (a Maildir's) leaves the
			// delivery time to the file opened here.
			e.Received = mailsrc.StoredAt(rc)
		}
		rc.Close()
		if h != nil {
			j.cacheKey = hex.EncodeToString(h.Sum(nil))
		}
	}
	datedByListing(&o.msg, e)
	// A file's result is kept only with the digest of the bytes analysed:
	// an action compares that with the bytes it delivers, which is what
	// makes a stale result fail closed (a Maildir file rewritten in place
	// keeps its stamp). IMAP's UIDs name their bytes for good.
	if !hit && j.cacheKey != "" && cacheable(&o.msg) && (opt.CacheByID || o.msg.SHA256 != "") {
		_ = opt.Cache.Put(j.cacheKey, o.msg) // a cache that cannot write only costs time
	}
	withListingDoubt(&o.msg, e)
	return o
}

// datedByListing gives m, without a Date header, e's delivery time,
// marked as such.
func datedByListing(m *model.Message, e mailsrc.Entry) {
	if m.Date.IsZero() && !e.Received.IsZero() {
		m.Date, m.DateSource = e.Received, model.DateDelivered
	}
}

// withListingDoubt adds the source's doubt about the message (e.Warning)
// to m's reasons: listing context, not content, added after caching.
func withListingDoubt(m *model.Message, e mailsrc.Entry) {
	if e.Warning != "" {
		m.Verdict.Reasons = append(m.Verdict.Reasons, e.Warning)
	}
}

// AsListed returns m, the cached result of the listed message e read
// back whole from where the cache holds it (store.RefReader), as a scan
// that found it in the cache emits it: under e's ID, dated by its
// delivery when it has no date, with the listing's doubt among its
// reasons.
func AsListed(e mailsrc.Entry, m model.Message) model.Message {
	m.ID = e.ID
	datedByListing(&m, e)
	withListingDoubt(&m, e)
	return m
}

// Analyse analyses the listed message e as a scan without a cache does
// and returns what the scan would emit for it: for a reader that needs
// one message of a scan anew (one without a cached result, analysed on
// every scan).
func Analyse(ctx context.Context, src mailsrc.Source, an Analyzer, e mailsrc.Entry) model.Message {
	return AnalyseListed(ctx, src, an, Options{}, e)
}

// AnalyseListed returns what a scan with opt emits for the listed
// message e: its result in opt.Cache (encoded when opt.Encoded says so),
// or its analysis, which it caches there as the scan would; for a reader
// that needs a few messages of a scan ahead of it.
func AnalyseListed(ctx context.Context, src mailsrc.Source, an Analyzer, opt Options, e mailsrc.Entry) model.Message {
	return analyseOne(ctx, src, an, opt, job{entry: e}).msg
}

// ErrorMessage is the summary of a message that could not be read at all.
func ErrorMessage(id model.MessageID, size int64, err error) model.Message {
	text := fmt.Sprintf("cannot read message: %v", err)
	return model.Message{
		ID:    id,
		Size:  size,
		Error: text,
		Verdict: model.Verdict{
			Attachment: model.AttachmentError,
			Reasons:    []string{text},
		},
	}
}

// counter is the listing's running count, read by the emitting goroutine.
type counter struct {
	mu   sync.Mutex
	n    int
	done bool
}

func (c *counter) set(n int, done bool) {
	c.mu.Lock()
	c.n, c.done = n, done
	c.mu.Unlock()
}

func (c *counter) get() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.done
}
