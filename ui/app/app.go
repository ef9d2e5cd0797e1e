package app

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"mxaudit/analysis"
	"mxaudit/analysis/auth"
	"mxaudit/analysis/clamd"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui/termtext"
)

// Options are what a front end adds to the configuration when it opens a
// source.
type Options struct {
	// Resolver replaces the DNS resolver the configuration names: the
	// demo's own zone, or a test's. The analysis cache is then off, since
	// its verdicts come from a zone the cache's fingerprint cannot name.
	Resolver auth.Resolver
	// Warn receives warnings for the operator (a skipped file, a cache
	// that could not be opened); nil discards them.
	Warn func(string)
	// Getenv reads the environment (XDG directories); nil means os.Getenv.
	Getenv func(string) string
	// PollInterval is how often a Maildir or a directory is listed for
	// live updates; 0 means mailsrc.DefaultPollInterval.
	PollInterval time.Duration
	// NoSnapshot makes every scan pair through the stream, never replay
	// the cache's snapshot (see snapshotKey): for tests that compare the
	// two.
	NoSnapshot bool
}

// App is one opened quarantine with everything its analysis needs: the
// source, the analyser built from the configuration, the PPAP pairing
// and the resolver. Every front end scans, watches, re-analyses and
// checks domains through it, so that the console gets exactly what the
// scan command gets.
type App struct {
	spec     string
	cfg      Config
	opts     Options
	src      mailsrc.Source
	resolver auth.Resolver // nil when offline
	analyzer *analysis.Analyzer
	ppap     ppap.Config
	dkimMode string
	replayed atomic.Bool // see ScanReplayed
	// listed counts, for the last ScanRows, the rows its lister took
	// from the last list and those it made (for tests).
	listed atomic.Pointer[listedRows]
	// rowReplay is the last ScanRows' row replay, for Message; nil
	// unless it handed out rows. Each scan clears it and numbers itself
	// (rowsGen), and sets it only while it is still the last scan
	// begun: a scan cancelled by a reload must not set it after its
	// successor has begun. Both under rowsMu.
	rowsMu    sync.Mutex
	rowReplay *rowReplay
	rowsGen   uint64
	// listStamp is the source's change stamp taken before the last scan
	// listed it, once that scan has finished without error ("" before,
	// or where the source has none): a watch from that scan's messages
	// lists nothing while it stands (Watch). Under rowsMu, set like
	// rowReplay.
	listStamp string
	// listSum is the fingerprint of the messages that scan emitted, for
	// a watch to compare its listings with (mailsrc.Known.Listed): set
	// and cleared with listStamp (set with a listStamp of "" too: a scan
	// right after a delivery), and never changed once set.
	listSum *mailsrc.IDSetSum
}

// Open opens the quarantine spec names (a path or an imap(s):// URL) and
// builds its analyser from cfg. The caller closes the App.
func Open(ctx context.Context, spec string, cfg Config, opts Options) (*App, error) {
	a, err := newApp(spec, cfg, opts)
	if err != nil {
		return nil, err
	}
	if a.src, err = OpenSource(ctx, spec, cfg); err != nil {
		return nil, err
	}
	return a, nil
}

// OpenWith is Open on a source the caller has already opened; Close
// closes it.
func OpenWith(src mailsrc.Source, spec string, cfg Config, opts Options) (*App, error) {
	a, err := newApp(spec, cfg, opts)
	if err != nil {
		return nil, err
	}
	a.src = src
	return a, nil
}

func newApp(spec string, cfg Config, opts Options) (*App, error) {
	mode, err := VerifyDKIMMode(cfg)
	if err != nil {
		return nil, err
	}
	pc, err := PPAPConfig(cfg)
	if err != nil {
		return nil, err
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	resolver := opts.Resolver
	if resolver == nil && !cfg.Offline {
		resolver = Resolver(cfg)
	}
	nets, err := auth.ParseNetworks(cfg.TrustedNetworks)
	if err != nil {
		return nil, err
	}
	checker := auth.NewChecker(auth.Config{
		TrustedNetworks: nets,
		TrustedHosts:    cfg.TrustedHosts,
		Offline:         cfg.Offline,
		Resolver:        resolver,
	})
	analyzer := analysis.New(analysis.Config{Auth: checker})
	pc.Analyzer = analyzer // pairing reads mail back with the same walk
	return &App{
		spec:     spec,
		cfg:      cfg,
		opts:     opts,
		resolver: resolver,
		analyzer: analyzer,
		ppap:     pc,
		dkimMode: mode,
	}, nil
}

// Resolver is the DNS resolver cfg names, with a per-scan cache: the one
// constructor every command and the console use.
func Resolver(cfg Config) auth.Resolver {
	timeout := cfg.DNSTimeout.Duration
	if timeout <= 0 {
		timeout = auth.DefaultQueryTimeout
	}
	return auth.NewCachingResolver(auth.NewDNSResolver(cfg.DNS, timeout))
}

// PPAPConfig builds the PPAP pairing configuration cfg asks for: the
// window, the attempt cap and, when clamd_socket is set, the clamd client
// that scans decrypted archives.
func PPAPConfig(cfg Config) (ppap.Config, error) {
	pc := ppap.Config{Window: cfg.PPAPWindow.Duration, MaxAttempts: cfg.PPAPMaxAttempts}
	if cfg.PPAPWindow.Duration < 0 || cfg.PPAPMaxAttempts < 0 {
		return pc, fmt.Errorf("ppap_window and ppap_max_attempts must not be negative")
	}
	if cfg.ClamdSocket != "" {
		c, err := clamd.New(cfg.ClamdSocket, 0)
		if err != nil {
			return pc, fmt.Errorf("clamd_socket: %w", err)
		}
		pc.Scanner, pc.ScannerName = c, clamd.Engine
	}
	return pc, nil
}

// Close closes the source, and lets the last row replay's slot file go.
func (a *App) Close() error {
	a.rowsMu.Lock()
	a.dropRowReplayLocked() // a scan still running installs none after this
	a.rowsMu.Unlock()
	return a.src.Close()
}

// Source is the opened quarantine.
func (a *App) Source() mailsrc.Source { return a.src }

// Spec is the source as the operator named it (path or URL), for audit
// records.
func (a *App) Spec() string { return a.spec }

// Name describes the source for a title bar ("maildir /var/quarantine").
func (a *App) Name() string { return a.src.Name() }

// Config is the configuration the App was opened with.
func (a *App) Config() Config { return a.cfg }

// Online reports whether DNS may be asked (not --offline).
func (a *App) Online() bool { return a.resolver != nil }

func (a *App) warnf(format string, args ...any) {
	if a.opts.Warn != nil {
		a.opts.Warn(fmt.Sprintf(format, args...))
	}
}

// Scan is the whole analysis of the source, the same for every front
// end: the parallel scan (summaries for IMAP unless DKIM must be verified
// on every message) through the analysis cache, then — unless no_ppap —
// the PPAP pairing, which holds messages with encrypted archives until
// their password mail's window has passed. emit gets each finished
// message; progress, when set, the scan's counts.
func (a *App) Scan(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
	_, err := a.scanInto(ctx, emit, nil, nil, progress, false, nil)
	return err
}

// ScanEncoded is Scan for JSON output: results found in the analysis
// cache come encoded, with only their head decoded (model.Encoded), so
// that unchanged messages are written out without being decoded and
// encoded again. emit must call Materialize before it reads more than
// the head, and must write the encoded bytes as JSON output would. emit
// is called from one goroutine, in order, but, when the scan pairs
// through the stream, not the one progress (and Options.Warn) is called
// from: they must not share state unguarded.
func (a *App) ScanEncoded(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
	_, err := a.scanInto(ctx, emit, nil, nil, progress, true, nil)
	return err
}

// scanInto is Scan, ScanEncoded (encoded) and ScanRows (emitRow set,
// when it also returns where the scan's list may be kept, shown, the
// rows it gives ahead, and lister, whose emitMessage emit is).
func (a *App) scanInto(ctx context.Context, emit func(model.Message) error, emitRow func(*model.Row) error,
	shown *shownAhead, progress func(scan.Progress), encoded bool, lister *rowLister) (_ *rowsTarget, err error) {
	defer scanUnderWay()()
	share := &scanShare{}
	defer share.done()
	// The IDs of this scan may name other messages than the last one's.
	gen := a.newRowsGen()
	// The stamp before anything lists the source, kept for a watch from
	// this scan's messages only if the scan listed every file it found
	// as one: a file it skipped (not mail yet, an empty .eml) may become
	// mail in place, which no folder's stamp shows, so the watch must
	// list to see it.
	stamp := mailsrc.ListingStamp(a.src)
	var skipped atomic.Bool
	// What the scan emits, fingerprinted for the watch (Known.Listed):
	// a message goes out either whole (emit) or as a row (emitRow), from
	// a goroutine for each, and both are done by the scan's return.
	var listed, listedRows mailsrc.IDSetSum
	emit, emitRow = fingerprinted(emit, &listed), fingerprintedRows(emitRow, &listedRows)
	defer func() {
		if err == nil && !skipped.Load() {
			listed.Merge(listedRows)
			a.setListStamp(gen, stamp, listed)
		}
	}()
	if emitRow != nil {
		go rowMaker() // read while the source is listed (executableSum)
	}
	opts := scan.Options{
		Encoded:  encoded,
		Workers:  a.cfg.Workers,
		NeedPart: needPart(a.dkimMode),
		Progress: func(p scan.Progress) {
			share.progress(p)
			if progress != nil {
				progress(p)
			}
		},
		Warn: func(e mailsrc.Entry) {
			skipped.Store(true)
			a.warnf("skipped %s: %s", termtext.Sanitize(string(e.ID)), termtext.Sanitize(e.Err.Error()))
		},
	}
	pc := a.ppap
	var early *earlyListing
	if !a.cfg.NoPPAP && a.opts.Resolver == nil && !a.cfg.Flags.NoCache && !IsIMAP(a.src.Name()) {
		early = startListing(ctx, a.src) // while the cache reads its index
		defer early.stop()
		if emitRow != nil {
			shown.show(a.rowsAhead())
		}
	}
	defer shown.withdraw() // a scan that failed before it chose
	var cache *store.Cache
	if a.opts.Resolver == nil {
		if cache = a.openCache(); cache != nil {
			defer cache.Close()
			opts.Cache, opts.CacheWarm = cache, cache.Stats().Entries > 0
			lister.keptBeside(cache.Path(), cache.Stats().Entries)
			opts.CacheByID = IsIMAP(a.src.Name())
			// The same cache remembers pairings: a warm reopen does not
			// read, decrypt and scan again what it paired before.
			pc.Results, pc.ResultsSalt = cache, a.pairingSalt()
		}
	}
	if a.cfg.NoPPAP {
		lister.prime()
		return nil, scan.Run(ctx, a.src, a.analyzer, opts, emit)
	}
	return a.pairedScan(ctx, cache, pc, opts, early, emit, emitRow, shown, gen, lister)
}

// SetWarn replaces where warnings go (nil discards them): a console
// draws its own screen and must not have them scribbled over it.
func (a *App) SetWarn(warn func(string)) { a.opts.Warn = warn }
