// Package app is mxaudit's application core: the one place where the
// configuration becomes a source, an analyser (resolver, trusted hosts,
// PPAP pairing, clamd, cache), a scan pipeline, live updates, the
// exception policy, the audit log and the action service. Every front end
// — the command line (ui/cli), the console (ui/console) and the SSH
// server — calls it, so that a setting means the same everywhere.
package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is mxaudit's configuration file (TOML). Flags override it.
type Config struct {
	// TrustedHosts are the authserv-ids (and Received "by" hosts) of the
	// gateway's own MTAs: only their Authentication-Results count.
	TrustedHosts []string `toml:"trusted_hosts"`
	// TrustedNetworks are the CIDR prefixes of internal relays: only hops
	// from them (and loopback) are skipped when looking for the entry hop.
	TrustedNetworks []string `toml:"trusted_networks"`
	// DNS is the resolver to use, HOST:PORT; empty for the system resolver.
	DNS string `toml:"dns"`
	// DNSTimeout is the per-query timeout ("2s").
	DNSTimeout Duration `toml:"dns_timeout"`
	// Offline uses trusted headers only and sends no DNS query.
	Offline bool `toml:"offline"`
	// Workers is how many messages are analysed at once (0: one per CPU).
	Workers int `toml:"workers"`

	// PolicyFile is the exception policy (default
	// $XDG_CONFIG_HOME/mxaudit/policy.toml).
	PolicyFile string `toml:"policy_file"`
	// AuditLog is the audit log (default
	// $XDG_STATE_HOME/mxaudit/audit.jsonl).
	AuditLog string `toml:"audit_log"`
	// Approvers are the OS users who may approve exceptions and override
	// the release rules. Keep this list in a file operators cannot write.
	Approvers []string `toml:"approvers"`
	// Viewers are the operators of "mxaudit serve" who may look at the
	// quarantine but not act: no release, delete, exception request,
	// approval or revocation. A name in both lists is a viewer: the
	// stricter role wins.
	Viewers []string `toml:"viewers"`

	// ClamdSocket is the clamd that scans decrypted PPAP archives: a unix
	// socket path or HOST:PORT; empty for no virus scanning.
	ClamdSocket string `toml:"clamd_socket"`
	// PPAPWindow is how long after a ZIP mail its password mail may
	// arrive ("24h", the default).
	PPAPWindow Duration `toml:"ppap_window"`
	// PPAPMaxAttempts caps the passwords tried per archive (default 20).
	PPAPMaxAttempts int `toml:"ppap_max_attempts"`
	// NoPPAP turns the pairing off: no password mail is looked for and no
	// archive decrypted (some organisations may not open partners'
	// archives at all). Messages then stream in listing order.
	NoPPAP bool `toml:"no_ppap"`

	// Relay is the SMTP relay released mail is delivered to, HOST:PORT
	// (e.g. "localhost:10025" to bypass the content filter).
	Relay string `toml:"relay"`
	// DeliverMaildir, instead of Relay, is a Maildir released mail is
	// delivered into.
	DeliverMaildir string `toml:"deliver_maildir"`
	// HomeDomains are the organisation's own domains: a release plan
	// counts the recipients outside them.
	HomeDomains []string `toml:"home_domains"`

	// CacheDir holds the analysis cache (default $XDG_CACHE_HOME/mxaudit).
	CacheDir string `toml:"cache_dir"`

	// IMAP configures IMAP sources (the [imap] table).
	IMAP IMAPConfig `toml:"imap"`
	// Serve configures "mxaudit serve" (the [serve] table).
	Serve ServeConfig `toml:"serve"`

	// Hooks are commands run after actions (the [hooks] table).
	Hooks HooksConfig `toml:"hooks"`

	// Notify configures partner notifications (the [notify] table).
	Notify NotifyConfig `toml:"notify"`

	// Readiness holds the thresholds of "mxaudit readiness" (the
	// [readiness] table).
	Readiness ReadinessConfig `toml:"readiness"`

	// Flags are the settings of the command line that have no key in
	// the file.
	Flags Flags `toml:"-"`

	// path is where the file was read from, for error messages.
	path string
}

// ServeConfig is the [serve] table: the SSH server of "mxaudit serve".
// Its flags override it.
type ServeConfig struct {
	// Listen is the address to listen on (default 127.0.0.1:2222).
	Listen string `toml:"listen"`
	// HostKey is the server's private key, generated (ed25519, 0600) on
	// first start.
	HostKey string `toml:"host_key"`
	// AuthorizedKeys lists the operators' keys, OpenSSH format; a key's
	// name="…" option or its comment is the operator's name.
	AuthorizedKeys string `toml:"authorized_keys"`
	// IdleTimeout ends a connection with no traffic for this long
	// (default 30m).
	IdleTimeout Duration `toml:"idle_timeout"`
	// MaxSessions caps the sessions open at once (default 32).
	MaxSessions int `toml:"max_sessions"`
	// Config is the configuration file the server was started with, for
	// the commands it runs for operators; set by the command line.
	Config string `toml:"-"`
	// Source is the quarantine as the operator named it, and Policy and
	// AuditLog the desk's files as resolved; set by the command line, for
	// the commands the server runs.
	Source, Policy, AuditLog string `toml:"-"`
}

// Flags are command-line settings without a configuration key.
type Flags struct {
	// CAFile (--ca) overrides [imap] ca_file.
	CAFile string
	// InsecurePlaintext (--insecure-plaintext) allows imap:// without
	// STARTTLS, for loopback tests only.
	InsecurePlaintext bool
	// VerifyDKIM (--verify-dkim) overrides [imap] verify_dkim.
	VerifyDKIM string
	// NoCache (--no-cache) neither reads nor writes the analysis cache.
	NoCache bool
}

// Duration is a time.Duration written as "2s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// DefaultConfigPath is $XDG_CONFIG_HOME/mxaudit/config.toml, or
// ~/.config/mxaudit/config.toml.
func DefaultConfigPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "mxaudit", "config.toml")
}

// LoadConfig reads the configuration file at path. A missing file at the
// default path is not an error (the defaults apply); a missing file that
// was asked for explicitly is. A malformed file is an error naming the line.
func LoadConfig(path string, explicit bool) (Config, error) {
	cfg := Config{path: path}
	if path == "" {
		return cfg, nil
	}
	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return Config{}, nil
		}
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return cfg, fmt.Errorf("config %s: line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return cfg, fmt.Errorf("config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	return cfg, nil
}
