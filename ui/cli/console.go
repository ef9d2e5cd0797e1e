package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/domaincheck"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui"
)

// runConsole is "mxaudit [flags] SOURCE": the interactive console.
func runConsole(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("mxaudit", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var common commonFlags
	common.register(fs)
	mouse := fs.Bool("mouse", false, "enable the mouse (click a header to sort; hold Shift to select text)")
	spec, cfg, code := common.parseSource(fs, args, env, usage, nil)
	if code != ExitOK {
		return code
	}
	src, err := openSourceWith(ctx, spec, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	defer src.Close()
	// The policy and the audit log are found as the exception and
	// release commands find them; when they cannot be, the console still
	// opens, read-only, and says why on r, d and w.
	pf := policyFlags{config: common.config}
	pe, peErr := pf.open(env)
	return console(ctx, src, cfg, nil, *mouse, env, consoleState{sourceName: spec, policy: pe, err: peErr})
}

// consoleState is what the console acts with: the policy file, the audit
// log and the operator (nil, with err saying why, when they could not be
// found), and the source as the operator named it, for audit records.
type consoleState struct {
	sourceName string
	policy     *policyEnv
	err        error
}

// actions builds the console's action service: nil, with the reason,
// when the policy or the audit log is missing or the source cannot move
// messages (an mbox).
func (st consoleState) actions(src mailsrc.Source, cfg Config) (*action.Service, string) {
	if st.policy == nil {
		if st.err != nil {
			return nil, "actions are off: " + st.err.Error()
		}
		return nil, "actions are off: no exception policy or audit log is configured"
	}
	audit, err := store.OpenAuditLog(st.policy.auditPath)
	if err != nil {
		return nil, "actions are off: " + err.Error()
	}
	svc, err := action.New(action.Config{
		Source:         src,
		SourceName:     firstNonEmpty(st.sourceName, src.Name()),
		Policy:         st.policy.policy,
		Audit:          audit,
		Operator:       st.policy.op,
		Relay:          cfg.Relay,
		DeliverMaildir: cfg.DeliverMaildir,
		HomeDomains:    cfg.HomeDomains,
	})
	if err != nil {
		return nil, "actions are off: " + err.Error()
	}
	return svc, ""
}

// console runs the interactive console on src until the operator quits.
func console(ctx context.Context, src mailsrc.Source, cfg Config, resolver auth.Resolver, mouse bool, env Env, state consoleState) int {
	if !env.IsTerminal {
		fmt.Fprintln(env.Stderr, "mxaudit: the console needs a terminal; use \"mxaudit scan\" for output to a pipe or file")
		return ExitUsage
	}
	uc, err := consoleConfig(src, cfg, resolver, mouse, state)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitUsage
	}
	// ui.Run stops the watch before it returns, so the deferred Close of
	// src in the caller never closes the source under it.
	err = ui.Run(ctx, uc)
	if err != nil {
		fmt.Fprintln(env.Stderr, "mxaudit:", err)
		return ExitFailed
	}
	return ExitOK
}

// consoleConfig builds the console's view of src: the scan, message
// reads, live updates where src can report changes, re-analysis for the
// verify key, and the actions and policy state allows.
func consoleConfig(src mailsrc.Source, cfg Config, resolver auth.Resolver, mouse bool, state consoleState) (ui.Config, error) {
	// The domain check (c) asks the resolver the scan asks: the same
	// server and timeout, and the same cache, or the demo's zone.
	if resolver == nil && !cfg.Offline {
		resolver = auth.NewCachingResolver(auth.NewDNSResolver(cfg.DNS, cfg.DNSTimeout.Duration))
	}
	an := newAnalyzer(cfg, resolver)
	mode, err := verifyDKIMMode(cfg)
	if err != nil {
		return ui.Config{}, err
	}
	pc, err := ppapConfig(cfg)
	if err != nil {
		return ui.Config{}, err
	}
	uc := ui.Config{
		Title: src.Name(),
		Scan: func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
			// As in the scan command, encrypted-archive messages wait in
			// the PPAP stream for their password mail's window.
			pairing := ppap.NewStream(ctx, pc, src.Open, emit)
			runErr := scan.Run(ctx, src, an, scan.Options{Workers: cfg.Workers, Progress: progress, NeedPart: needPart(mode)}, pairing.Write)
			pairErr := pairing.Close()
			if errors.Is(runErr, pairErr) {
				pairErr = nil
			}
			return errors.Join(runErr, pairErr)
		},
		Open: func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
			return src.Open(ctx, id)
		},
		Mouse: mouse,
		Now:   time.Now,
		PPAP:  pc,
		// Live updates (IMAP IDLE or NOOP polling) where the source can
		// report changes; arrivals are analysed like the scan's messages.
		Watch:   consoleWatch(src),
		Analyze: consoleAnalyze(src, an, needPart(mode), pc),
		// v: read one message whole and verify its DKIM signatures.
		Reanalyse: func(ctx context.Context, id model.MessageID) (model.Message, error) {
			return analyseWhole(ctx, src, an, id)
		},
	}
	if resolver != nil && !cfg.Offline {
		uc.Check = func(ctx context.Context, domain string) (*domaincheck.Report, error) {
			return domaincheck.Check(ctx, resolver, domain, nil)
		}
	}
	uc.Actions, uc.ActionsUnavailable = state.actions(src, cfg)
	if state.policy != nil {
		uc.Policy, uc.AuditLog, uc.Operator = state.policy.policy, state.policy.auditPath, state.policy.op
	}
	return uc, nil
}
