package app

import (
	"fmt"
	"os"
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

// SpillDir is the directory for a front end's spill of the analysed
// messages it lists (NewSpill): the analysis cache's, on a disk the App
// writes to already, rather than the system's temporary directory,
// which many systems now mount in memory (tmpfs: Debian 13, Fedora,
// Arch). There a console's spill took the host's memory besides its
// own: about 2 KB a message it made rows of, 200 MB for a cold start of
// 100,000 messages and 2 GB for a million paired again, none of it in
// the console's resident memory. It is "" (the temporary directory)
// when the cache's directory cannot be named, or, with the cache off
// (--no-cache), is not there: not made for a spill. The spill's file
// is private wherever it is (O_EXCL, mode 0600, unlinked at once).
func (a *App) SpillDir() string {
	dir, err := a.cacheDir()
	if err != nil {
		return ""
	}
	if !a.cfg.Flags.NoCache {
		if os.MkdirAll(dir, 0o700) != nil {
			return ""
		}
		return dir
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
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
