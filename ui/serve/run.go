package serve

import (
	"context"
	"fmt"
	"io"
	"net"

	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/app"
)

// Run serves hub with settings until ctx is done: what "mxaudit serve"
// does once the command line has opened the source. It prints the
// address and the host key's fingerprint to log, so that operators can
// check the key on their first connection. console and command are the
// front ends main hands in (see Config).
func Run(ctx context.Context, hub *app.Hub, settings app.ServeConfig, log io.Writer,
	console func(context.Context, *app.Session, []string) tea.Model,
	command func(context.Context, []string, *app.Session, io.Writer, io.Writer) int) error {
	srv, err := New(Config{
		Settings: settings,
		Hub:      hub,
		Roles:    app.RolesOf(hub.App().Config()),
		Served:   Served{Source: settings.Source, Config: settings.Config, Policy: settings.Policy, AuditLog: settings.AuditLog},
		Console:  console,
		Command:  command,
		Log:      func(format string, args ...any) { fmt.Fprintf(log, "mxaudit serve: "+format+"\n", args...) },
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", srv.cfg.Settings.Listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "mxaudit serve: listening on %s, host key %s\n", l.Addr(), srv.Fingerprint())
	return srv.Serve(ctx, l)
}
