package cli

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/ui/app"
)

// Config is the configuration of the application core.
type Config = app.Config

// commonFlags are the flags every command that analyses mail takes.
type commonFlags struct {
	config       string
	trustedHosts string
	trustedNets  string
	dns          string
	dnsTimeout   time.Duration
	offline      bool
	workers      int
	noCache      bool
	noPPAP       bool
	utc          bool
	imap         imapFlags
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration file")
	fs.StringVar(&c.trustedHosts, "trusted-hosts", "", "authserv-ids of your own MTAs, comma-separated")
	fs.StringVar(&c.trustedNets, "trusted-networks", "", "CIDR prefixes of your internal relays, comma-separated")
	fs.StringVar(&c.dns, "dns", "", "DNS server HOST:PORT (default: system resolver)")
	fs.DurationVar(&c.dnsTimeout, "dns-timeout", 0, "per-query DNS timeout (default 2s)")
	fs.BoolVar(&c.offline, "offline", false, "no DNS: trusted headers only")
	fs.IntVar(&c.workers, "workers", 0, "messages analysed at once (default: one per CPU)")
	fs.BoolVar(&c.noPPAP, "no-ppap", false, "do not look for password mails or decrypt archives")
	fs.BoolVar(&c.noCache, "no-cache", false, "analyse every message again, ignoring and not updating the analysis cache")
	fs.BoolVar(&c.utc, "utc", false, "show times in UTC rather than local time")
	c.imap.register(fs)
}

// registerDNS registers only the flags of commands that look things up
// in DNS but read no quarantine ("check"): the configuration file and
// the resolver. Help lists only the flags a command uses.
func (c *commonFlags) registerDNS(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "configuration file")
	fs.StringVar(&c.dns, "dns", "", "DNS server HOST:PORT (default: system resolver)")
	fs.DurationVar(&c.dnsTimeout, "dns-timeout", 0, "per-query DNS timeout (default 2s)")
}

// imapFlags are the flags that only IMAP sources use.
type imapFlags struct {
	ca                string
	insecurePlaintext bool
	verifyDKIM        string
}

func (f *imapFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.ca, "ca", "", "PEM file of the CA that signed the IMAP server's certificate")
	fs.BoolVar(&f.insecurePlaintext, "insecure-plaintext", false, "allow imap:// without STARTTLS (loopback tests only)")
	fs.StringVar(&f.verifyDKIM, "verify-dkim", "", "IMAP: always | on-demand (default) | never fetch whole messages to verify DKIM")
}

// parseSource parses a command's flags around its one SOURCE argument and
// loads the configuration. code is ExitOK when both succeeded; otherwise
// the problem is printed and code is the exit status. check, when set,
// validates flag combinations before the configuration is read.
func (c *commonFlags) parseSource(fs *flag.FlagSet, args []string, env Env, usageText string, check func() error) (spec string, cfg Config, code int) {
	positional, err := parseArgs(fs, args)
	if err != nil {
		return "", cfg, ExitUsage
	}
	if len(positional) != 1 {
		fmt.Fprint(env.Stderr, usageText)
		return "", cfg, ExitUsage
	}
	if check != nil {
		if err := check(); err != nil {
			fmt.Fprintf(env.Stderr, "mxaudit %s: %v\n", fs.Name(), err)
			return "", cfg, ExitUsage
		}
	}
	if c.utc {
		// Like TZ=UTC: every screen and table shows local time, and
		// local time is now UTC.
		time.Local = time.UTC
	}
	if cfg, err = c.settings(fs); err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return "", cfg, ExitUsage
	}
	return positional[0], cfg, ExitOK
}

// exclusive fails when more than one of the named flags is set (read
// when the check runs, after parsing).
func exclusive(names string, set ...*bool) func() error {
	return func() error {
		n := 0
		for _, b := range set {
			if *b {
				n++
			}
		}
		if n > 1 {
			return fmt.Errorf("%s exclude each other", names)
		}
		return nil
	}
}

// settings merges the configuration file with the flags that were set.
func (c *commonFlags) settings(fs *flag.FlagSet) (Config, error) {
	path, explicit := c.config, c.config != ""
	if !explicit {
		path = app.DefaultConfigPath()
	}
	cfg, err := app.LoadConfig(path, explicit)
	if err != nil {
		return cfg, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "trusted-hosts":
			cfg.TrustedHosts = splitList(c.trustedHosts)
		case "trusted-networks":
			cfg.TrustedNetworks = splitList(c.trustedNets)
		case "dns":
			cfg.DNS = c.dns
		case "dns-timeout":
			cfg.DNSTimeout.Duration = c.dnsTimeout
		case "offline":
			cfg.Offline = c.offline
		case "workers":
			cfg.Workers = c.workers
		case "no-ppap":
			cfg.NoPPAP = c.noPPAP
		}
	})
	cfg.Flags = app.Flags{
		CAFile:            c.imap.ca,
		InsecurePlaintext: c.imap.insecurePlaintext,
		VerifyDKIM:        c.imap.verifyDKIM,
		NoCache:           c.noCache,
	}
	if _, err := app.VerifyDKIMMode(cfg); err != nil {
		return cfg, err
	}
	if _, err := auth.ParseNetworks(cfg.TrustedNetworks); err != nil {
		return cfg, err
	}
	if cfg.DNSTimeout.Duration <= 0 {
		cfg.DNSTimeout.Duration = 2 * time.Second
	}
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseArgs parses flags that may come before or after the positional
// arguments ("scan --json DIR" and "scan DIR --json" alike) and returns
// the positional ones. "--" ends flag parsing.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if captureHelp(fs, args) {
		return nil, flag.ErrHelp // Main prints the help (help.go)
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageError is a command-line mistake: it is printed with a hint and the
// exit status is ExitUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }
