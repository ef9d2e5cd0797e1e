package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"mxaudit/model/store"
	"mxaudit/ui/app"
)

const serveUsage = `Usage: mxaudit serve --authorized-keys FILE [flags] SOURCE

Serves the console over SSH: one process owns the quarantine, the policy
and the audit log; operators connect with ssh and are identified by their
key. See README.md ("The team console over SSH").

Flags (also in the [serve] table of the configuration):
  --listen ADDR            address to listen on (default 127.0.0.1:2222)
  --authorized-keys FILE   operators' keys, OpenSSH format; name="…" or the comment names the operator
  --host-key FILE          server key, generated on first start
                           (default $XDG_STATE_HOME/mxaudit/ssh_host_ed25519_key)
  --idle-timeout D         end connections idle this long (default 30m)
  --max-sessions N         sessions open at once (default 32)
  plus the common flags of "mxaudit help".
`

// runServe is "mxaudit serve": it opens the source and the desk, starts
// the shared hub and hands it to the SSH front end main injected.
func runServe(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	listen := fs.String("listen", "", "address to listen on (default 127.0.0.1:2222)")
	keys := fs.String("authorized-keys", "", "operators' keys (OpenSSH authorized_keys)")
	hostKey := fs.String("host-key", "", "the server's private key, generated on first start")
	idle := fs.Duration("idle-timeout", 0, "end connections idle this long (default 30m)")
	maxSessions := fs.Int("max-sessions", 0, "sessions open at once (default 32)")
	spec, cfg, code := common.parseSource(fs, args, env, serveUsage, nil)
	if code != ExitOK {
		return code
	}
	if env.Serve == nil {
		fmt.Fprintln(env.Stderr, "mxaudit serve: serving is not available in this build")
		return ExitFailed
	}
	st := cfg.Serve
	st.Listen = app.FirstNonEmpty(*listen, st.Listen)
	st.AuthorizedKeys = app.FirstNonEmpty(*keys, st.AuthorizedKeys)
	st.HostKey = app.FirstNonEmpty(*hostKey, st.HostKey)
	if *idle > 0 {
		st.IdleTimeout = app.Duration{Duration: *idle}
	}
	if *maxSessions > 0 {
		st.MaxSessions = *maxSessions
	}
	if st.AuthorizedKeys == "" {
		fmt.Fprint(env.Stderr, "mxaudit serve: --authorized-keys is required\n\n"+serveUsage)
		return ExitUsage
	}
	if st.HostKey == "" {
		audit, err := store.DefaultAuditPath(env.getenv)
		if err != nil {
			fmt.Fprintln(env.Stderr, "mxaudit serve:", err)
			return ExitUsage
		}
		st.HostKey = filepath.Join(filepath.Dir(audit), "ssh_host_ed25519_key")
	}
	st.Config, st.Source = common.config, spec

	pf := policyFlags{config: common.config}
	desk, deskErr := pf.desk(env)
	if deskErr != nil {
		// The consoles still open, read-only, and say why.
		warnf(env, "actions are off: %v", deskErr)
	} else {
		st.Policy, st.AuditLog = desk.Policy.Path(), desk.AuditPath
	}
	a, err := openApp(ctx, spec, cfg, env, nil)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit serve:", err)
		return ExitFailed
	}
	defer a.Close()
	// A server holds the quarantine's rows for hours, as a console does,
	// and takes the console's collector settings.
	defer app.TuneLongLivedGC(env.getenv)()
	hub := app.NewHub(a, desk)
	hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHub()
	hub.Start(hubCtx)
	start := time.Now()
	err = env.Serve(ctx, hub, st, env.Stderr)
	stopHub()
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit serve:", err)
		return ExitFailed
	}
	fmt.Fprintf(env.Stderr, "mxaudit serve: stopped after %s\n", time.Since(start).Round(time.Second))
	return ExitOK
}
