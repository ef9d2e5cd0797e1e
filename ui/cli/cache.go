package cli

import (
	"fmt"
	"slices"
	"strings"

	"mxaudit/analysis"
	"mxaudit/mailsrc"
	"mxaudit/model/store"
)

// openCache opens the analysis cache of src under the XDG cache directory,
// or returns nil when caching is off (--no-cache, or an injected resolver:
// the demo and tests, whose verdicts come from a zone of their own). A
// cache that cannot be opened is a warning, not a failure: it only saves
// time.
func openCache(src mailsrc.Source, cfg Config, env Env, mode string) *store.Cache {
	if cfg.noCache {
		return nil
	}
	dir := cfg.CacheDir
	if dir == "" {
		var err error
		if dir, err = store.DefaultCacheDir(env.getenv); err != nil {
			warnf(env, "no analysis cache: %v", err)
			return nil
		}
	}
	c, err := store.OpenCache(dir, src.Name(), fingerprint(cfg, mode))
	if err != nil {
		warnf(env, "no analysis cache: %v", err)
		return nil
	}
	if st := c.Stats(); st.Rebuilt && st.RebuildReason != "" {
		warnf(env, "analysis cache rebuilt: %s", st.RebuildReason)
	}
	return c
}

// fingerprint names everything that changes a verdict, so that a cache
// written under other settings (or by an older analysis) is not used.
func fingerprint(cfg Config, mode string) string {
	hosts := slices.Clone(cfg.TrustedHosts)
	for i := range hosts {
		hosts[i] = strings.ToLower(hosts[i])
	}
	slices.Sort(hosts)
	nets := slices.Clone(cfg.TrustedNetworks)
	slices.Sort(nets)
	return fmt.Sprintf("analysis %s; trusted %s; networks %s; offline %v; dns %s; verify-dkim %s",
		analysis.Version, strings.Join(hosts, ","), strings.Join(nets, ","), cfg.Offline, cfg.DNS, mode)
}

func warnf(env Env, format string, args ...any) {
	if env.Stderr != nil {
		fmt.Fprintf(env.Stderr, "mxaudit: "+format+"\n", args...)
	}
}
