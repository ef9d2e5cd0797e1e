// Package serve is "mxaudit serve": the console over SSH, the way
// soft-serve serves git. One process owns the quarantine (a shared
// app.Hub: one scan, one cache, one action service per operator), the
// policy and the audit log; operators connect with a stock ssh client,
// are identified by their key (authorized_keys), and each session gets
// its own console, or runs one read-only or exception command.
//
// The package does not import the console or the command line: main
// hands in constructors for both (Config.Console, Config.Command), as it
// hands the console to the command line.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	rm "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// Defaults of the [serve] settings.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSessions = 32
	// drainTimeout bounds how long a shutdown waits for running actions,
	// quitTimeout how long it then waits for the clients to go.
	drainTimeout = 2 * time.Minute
	quitTimeout  = 3 * time.Second
)

// Config is what a server needs.
type Config struct {
	// Settings are the [serve] table with the flags applied.
	Settings app.ServeConfig
	// Hub is the shared quarantine; the server does not start it.
	Hub *app.Hub
	// Roles say who may only look.
	Roles app.Roles
	// Served names the files the commands run on.
	Served Served
	// Console builds one session's console (main hands in ui/console's):
	// its scan and watch must end with ctx; environ is the client's.
	Console func(ctx context.Context, s *app.Session, environ []string) tea.Model
	// Command runs a command line as the session's operator, writing to
	// stdout and stderr, and returns its exit status (main hands in
	// ui/cli's); policy changes it makes go to s.PolicyChanged. Nil
	// refuses every command.
	Command func(ctx context.Context, args []string, s *app.Session, stdout, stderr io.Writer) int
	// Log receives one line per connection, refusal and shutdown step.
	Log func(format string, args ...any)
}

// Server is a running "mxaudit serve".
type Server struct {
	cfg      Config
	srv      *ssh.Server
	signer   gossh.Signer
	sessions atomic.Int64

	// consoles are the running consoles, asked to quit on shutdown so
	// that each leaves its operator's terminal as it found it.
	mu       sync.Mutex
	consoles map[*tea.Program]bool
}

// ctxKey keys the session's operator in the connection's context.
type ctxKey struct{}

// New checks the host key and the authorized keys (generating the host
// key on first start) and builds the server. Password and
// keyboard-interactive authentication are never set up: only keys.
func New(cfg Config) (*Server, error) {
	st := &cfg.Settings
	if st.Listen == "" {
		st.Listen = DefaultListen
	}
	if st.IdleTimeout.Duration <= 0 {
		st.IdleTimeout.Duration = DefaultIdleTimeout
	}
	if st.MaxSessions <= 0 {
		st.MaxSessions = DefaultMaxSessions
	}
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	if st.AuthorizedKeys == "" || st.HostKey == "" {
		return nil, errors.New("serve: --authorized-keys and --host-key are required")
	}
	if _, _, err := LoadAuthorizedKeys(st.AuthorizedKeys); err != nil {
		return nil, err
	}
	signer, generated, err := HostKey(st.HostKey)
	if err != nil {
		return nil, err
	}
	if generated {
		cfg.Log("generated host key %s", st.HostKey)
	}
	s := &Server{cfg: cfg, signer: signer, consoles: map[*tea.Program]bool{}}
	s.srv, err = wish.NewServer(
		wish.WithAddress(st.Listen),
		// The host key as an option: without one, wish.NewServer would
		// write a key of its own into the working directory.
		func(srv *ssh.Server) error {
			srv.AddHostKey(signer)
			return nil
		},
		wish.WithPublicKeyAuth(s.authenticate),
		wish.WithIdleTimeout(st.IdleTimeout.Duration),
		ssh.EmulatePty(),
		// The first middleware is the innermost: a command runs when
		// the console handler declines (an exec request). A panic in one
		// session ends that session, not the server.
		wish.WithMiddleware(rm.MiddlewareWithLogger(logger(cfg.Log),
			s.runCommand, bm.MiddlewareWithProgramHandler(s.program), s.identify, s.limit)),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.srv.HandshakeTimeout = 30 * time.Second
	return s, nil
}

// logger adapts Config.Log to the recover middleware.
type logger func(format string, args ...any)

// Printf implements recover.Logger.
func (l logger) Printf(format string, args ...any) { l(format, args...) }

// Fingerprint is the host key's SHA256 fingerprint, for operators to
// check on their first connection.
func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.signer.PublicKey()) }

// Serve accepts connections on l until ctx is done, then shuts down:
// no new connections, no new actions, the running actions finish (for
// at most two minutes), the consoles quit (restoring the operators'
// terminals), then every connection still open is closed.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.cfg.Log("shutting down: waiting for running actions")
	// Closing the listener first: no one new comes in while we wait.
	_ = l.Close()
	dctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := s.cfg.Hub.Drain(dctx); err != nil {
		s.cfg.Log("actions still running after %s: closing anyway", drainTimeout)
	}
	s.mu.Lock()
	for p := range s.consoles {
		p.Quit()
	}
	s.mu.Unlock()
	// The clients close their connections once their consoles have
	// quit; whoever has not after a few seconds is cut off.
	qctx, qcancel := context.WithTimeout(context.Background(), quitTimeout)
	defer qcancel()
	_ = s.srv.Shutdown(qctx)
	err := s.srv.Close()
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	<-errc
	s.cfg.Log("stopped")
	return err
}

// authenticate accepts a key listed in the authorized keys, read again
// for every attempt so that a removed line takes effect at once.
func (s *Server) authenticate(ctx ssh.Context, key ssh.PublicKey) bool {
	ring, _, err := LoadAuthorizedKeys(s.cfg.Settings.AuthorizedKeys)
	if err != nil {
		s.cfg.Log("refusing %s: %v", ctx.RemoteAddr(), err)
		return false
	}
	fp := gossh.FingerprintSHA256(key)
	if _, ok := ring[fp]; !ok {
		s.cfg.Log("refusing key %s from %s: not in %s", fp, ctx.RemoteAddr(), s.cfg.Settings.AuthorizedKeys)
		return false
	}
	return true
}

// operatorOf is the operator of an authenticated session: the name and
// fingerprint of the key it authenticated with (looked up again, so
// that nothing the client offered along the way counts), the client
// address as the server sees it, and the role. ok is false when the key
// is no longer authorized.
func (s *Server) operatorOf(sess ssh.Session) (model.Operator, bool) {
	key := sess.PublicKey()
	if key == nil {
		return model.Operator{}, false
	}
	ring, _, err := LoadAuthorizedKeys(s.cfg.Settings.AuthorizedKeys)
	if err != nil {
		return model.Operator{}, false
	}
	id, ok := ring[gossh.FingerprintSHA256(key)]
	if !ok {
		return model.Operator{}, false
	}
	addr := sess.RemoteAddr().String()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	return model.Operator{
		User:      id.Name,
		Key:       id.Fingerprint,
		SSHClient: addr,
		ReadOnly:  s.cfg.Roles.IsViewer(id.Name),
	}, true
}

// limit refuses sessions beyond the maximum.
func (s *Server) limit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		n := s.sessions.Add(1)
		defer s.sessions.Add(-1)
		if n > int64(s.cfg.Settings.MaxSessions) {
			s.cfg.Log("refusing %s: %d sessions open", sess.RemoteAddr(), n-1)
			wish.Fatalln(sess, "mxaudit: too many sessions; try again later")
			return
		}
		next(sess)
	}
}

// identify works out the operator and puts it in the context, or ends
// the session.
func (s *Server) identify(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		op, ok := s.operatorOf(sess)
		if !ok {
			wish.Fatalln(sess, "mxaudit: this key is not authorized")
			return
		}
		s.cfg.Log("session of %s (%s) from %s: %q", op.User, op.Key, op.SSHClient, sess.RawCommand())
		sess.Context().SetValue(ctxKey{}, op)
		next(sess)
	}
}

// sessionOperator is the operator identify stored.
func sessionOperator(sess ssh.Session) (model.Operator, bool) {
	op, ok := sess.Context().Value(ctxKey{}).(model.Operator)
	return op, ok
}

// program builds the console of an interactive session, or returns nil
// for an exec request (a command), which runCommand handles.
func (s *Server) program(sess ssh.Session) *tea.Program {
	if len(sess.Command()) > 0 || s.cfg.Console == nil {
		return nil
	}
	op, ok := sessionOperator(sess)
	if !ok {
		return nil
	}
	as := s.cfg.Hub.Session(op)
	ctx := sess.Context()
	m := s.cfg.Console(ctx, as, sess.Environ())
	p := tea.NewProgram(m, bm.MakeOptions(sess)...)
	s.mu.Lock()
	s.consoles[p] = true
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		as.Close()
		s.mu.Lock()
		delete(s.consoles, p)
		s.mu.Unlock()
	}()
	return p
}

// runCommand runs an exec request's command as the session's operator.
func (s *Server) runCommand(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		args := sess.Command()
		if len(args) == 0 {
			next(sess) // the console has run
			return
		}
		op, ok := sessionOperator(sess)
		if !ok || s.cfg.Command == nil {
			wish.Fatalln(sess, "mxaudit: commands are not available")
			return
		}
		line, err := commandLine(args, op.ReadOnly, s.cfg.Served)
		if err != nil {
			s.cfg.Log("refused %s's command %q: %v", op.User, sess.RawCommand(), err)
			wish.Fatalln(sess, "mxaudit:", err)
			return
		}
		as := s.cfg.Hub.Session(op)
		defer as.Close()
		// A command that panics fails (status 1), rather than ending
		// its session as if it had succeeded.
		defer func() {
			if r := recover(); r != nil {
				s.cfg.Log("panic in %s's command %q: %v\n%s", op.User, sess.RawCommand(), r, debug.Stack())
				wish.Fatalln(sess, "mxaudit: internal error")
			}
		}()
		code := s.cfg.Command(sess.Context(), line, as, sess, sess.Stderr())
		_ = sess.Exit(code)
	}
}
