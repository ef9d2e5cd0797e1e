package app

import (
	"fmt"
	"slices"
	"strings"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/model/store"
)

// openCache opens the analysis cache of the source under the cache
// directory, or returns nil when caching is off (--no-cache). A cache that
// cannot be opened is a warning, not a failure: it only saves time.
func (a *App) openCache() *store.Cache {
	if a.cfg.Flags.NoCache {
		return nil
	}
	dir, err := a.cacheDir()
	if err != nil {
		a.warnf("no analysis cache: %v", err)
		return nil
	}
	c, err := store.OpenCache(dir, a.src.Name(), a.cacheFingerprint())
	if err != nil {
		a.warnf("no analysis cache: %v", err)
		return nil
	}
	if st := c.Stats(); st.Rebuilt && st.RebuildReason != "" {
		a.warnf("analysis cache rebuilt: %s", st.RebuildReason)
	}
	return c
}

// cacheDir is the directory of the analysis cache: the configured one,
// else the default under the user's cache directory.
func (a *App) cacheDir() (string, error) {
	if a.cfg.CacheDir != "" {
		return a.cfg.CacheDir, nil
	}
	return store.DefaultCacheDir(a.opts.Getenv)
}

// cacheFingerprint is the fingerprint of this App's analysis cache.
func (a *App) cacheFingerprint() string {
	return fingerprint(a.cfg, a.dkimMode, a.ppap.TextBytes())
}

// fingerprint names everything that changes a verdict, so that a cache
// written under other settings (or by an older analysis) is not used.
// textBytes is how much body text pairing reads of a mail
// (ppap.Config.TextBytes), to which the analysis searches it.
func fingerprint(cfg Config, mode string, textBytes int64) string {
	hosts := slices.Clone(cfg.TrustedHosts)
	for i := range hosts {
		hosts[i] = strings.ToLower(hosts[i])
	}
	slices.Sort(hosts)
	nets := slices.Clone(cfg.TrustedNetworks)
	slices.Sort(nets)
	// A result records whether its text holds a password as pairing's
	// search (ppap.ExtractVersion) found it in the text an analysis keeps
	// (textBytes): a later scan trusts it.
	return fmt.Sprintf("analysis %s; trusted %s; networks %s; offline %v; dns %s; verify-dkim %s; password search %s %d",
		analysis.Version, strings.Join(hosts, ","), strings.Join(nets, ","), cfg.Offline, cfg.DNS, mode,
		ppap.ExtractVersion, textBytes)
}

// pairingSalt names what a remembered PPAP pairing depends on besides
// the mails themselves: the pairing logic, the window, the attempt cap
// and the virus scanner. (The analysis settings are in the cache's own fingerprint.)
func (a *App) pairingSalt() string {
	return fmt.Sprintf("pairing %s; window %v; attempts %d; scanner %s %s", ppap.Version, a.cfg.PPAPWindow.Duration, a.cfg.PPAPMaxAttempts,
		a.ppap.ScannerName, a.cfg.ClamdSocket)
}
