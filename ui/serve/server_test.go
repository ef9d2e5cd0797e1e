package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"mxaudit/mailsrc/demo"
	"mxaudit/model/store"
	"mxaudit/ui/app"
)

// testServer is a server on a loopback port over the demo quarantine,
// with a stub console (it greets the operator) and a stub command line
// (it records who ran what).
type testServer struct {
	addr    string
	dir     string
	hostKey gossh.PublicKey
	hub     *app.Hub
	mu      sync.Mutex
	ran     []string
	stop    func()
	done    chan error
}

// greeter is the stub console: it names the session's operator and
// whether it may act, and quits on q.
type greeter struct{ s *app.Session }

func (g greeter) Init() tea.Cmd { return nil }
func (g greeter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "q" {
		return g, tea.Quit
	}
	return g, nil
}
func (g greeter) View() tea.View {
	return tea.NewView(fmt.Sprintf("hello %s key=%s from=%s actions=%v", g.s.Operator.User, g.s.Operator.Key, g.s.Operator.SSHClient, g.s.Actions != nil))
}

// startServer starts a server whose authorized_keys holds keys (name →
// authorized_keys line), with viewers as the viewers.
func startServer(t *testing.T, keys map[string]string, viewers []string, maxSessions int) *testServer {
	return startServerIdle(t, keys, viewers, maxSessions, 0)
}

// startServerIdle is startServer with an idle timeout.
func startServerIdle(t *testing.T, keys map[string]string, viewers []string, maxSessions int, idle time.Duration) *testServer {
	t.Helper()
	dir := t.TempDir()
	q := filepath.Join(dir, "q")
	if err := demo.WriteMaildir(q, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for name, line := range keys {
		lines = append(lines, line+" "+name)
	}
	writeFile(t, filepath.Join(dir, "authorized_keys"), strings.Join(lines, "\n")+"\n", 0o600)
	cfg := app.Config{Offline: true, NoPPAP: true, Viewers: viewers, DeliverMaildir: filepath.Join(dir, "out"), Flags: app.Flags{NoCache: true}}
	a, err := app.Open(context.Background(), q, cfg, app.Options{PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	desk := &app.Desk{Policy: store.NewPolicyStore(filepath.Join(dir, "policy.toml"), filepath.Join(dir, "audit.jsonl"), nil), AuditPath: filepath.Join(dir, "audit.jsonl")}
	hub := app.NewHub(a, desk)
	ctx, cancel := context.WithCancel(context.Background())
	hub.Start(ctx)
	ts := &testServer{dir: dir, hub: hub, done: make(chan error, 1)}
	srv, err := New(Config{
		Settings: app.ServeConfig{AuthorizedKeys: filepath.Join(dir, "authorized_keys"), HostKey: filepath.Join(dir, "host_key"),
			MaxSessions: maxSessions, IdleTimeout: app.Duration{Duration: idle}},
		Hub:    hub,
		Roles:  app.RolesOf(cfg),
		Served: Served{Source: q},
		Console: func(_ context.Context, s *app.Session, _ []string) tea.Model {
			return greeter{s: s}
		},
		Command: func(_ context.Context, args []string, as *app.Session, stdout, _ io.Writer) int {
			op := as.Operator
			if slices.Contains(args, "--filter=panic") {
				panic("a bug in a command")
			}
			ts.mu.Lock()
			ts.ran = append(ts.ran, op.User+": "+strings.Join(args, " "))
			ts.mu.Unlock()
			fmt.Fprintf(stdout, "ran %s as %s %s from %s viewer=%v\n", args[0], op.User, op.Key, op.SSHClient, op.ReadOnly)
			return 3
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr, ts.hostKey = l.Addr().String(), srv.signer.PublicKey()
	go func() { ts.done <- srv.Serve(ctx, l) }()
	ts.stop = cancel
	t.Cleanup(func() {
		cancel()
		<-ts.done
	})
	return ts
}

// dial connects with signer, checking the host key.
func (ts *testServer) dial(signer gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User:            "ops",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(ts.hostKey),
		Timeout:         5 * time.Second,
	})
}

// run runs cmd over a new session and returns its output and exit
// status.
func run(t *testing.T, c *gossh.Client, cmd string) (string, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out syncBuffer // stdout and stderr are copied by two goroutines
	s.Stdout, s.Stderr = &out, &out
	err = s.Run(cmd)
	if ee, ok := err.(*gossh.ExitError); ok {
		return out.String(), ee.ExitStatus()
	} else if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return out.String(), 0
}

func TestSessionsOverSSH(t *testing.T) {
	alice, aliceLine := newKey(t)
	carol, carolLine := newKey(t)
	stranger, _ := newKey(t)
	ts := startServer(t, map[string]string{"alice": aliceLine, "carol": carolLine}, []string{"carol"}, 0)

	if _, err := ts.dial(stranger); err == nil {
		t.Fatal("an unknown key was let in")
	}

	tests := []struct {
		signer gossh.Signer
		cmd    string
		want   string
		code   int
	}{
		{alice, "scan --json", "ran scan as alice " + gossh.FingerprintSHA256(alice.PublicKey()) + " from 127.0.0.1 viewer=false", 3},
		{carol, "stats --json", "ran stats as carol " + gossh.FingerprintSHA256(carol.PublicKey()) + " from 127.0.0.1 viewer=true", 3},
		{carol, "exception approve 1", "viewers may look but not act", 1},
		{alice, "scan --config /etc/passwd", "not allowed over SSH", 1},
		{alice, "sh", "not allowed over SSH", 1},
	}
	for _, tt := range tests {
		c, err := ts.dial(tt.signer)
		if err != nil {
			t.Fatal(err)
		}
		out, code := run(t, c, tt.cmd)
		c.Close()
		if !strings.Contains(out, tt.want) || code != tt.code {
			t.Errorf("%q: exit %d, output %q; want %d, %q", tt.cmd, code, out, tt.code, tt.want)
		}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.ran) != 2 {
		t.Errorf("commands run: %q, want only the two allowed", ts.ran)
	}
}

// TestConsoleSession opens an interactive session with a PTY: the
// console is built for the key's operator, a viewer's without actions.
func TestConsoleSession(t *testing.T) {
	alice, aliceLine := newKey(t)
	carol, carolLine := newKey(t)
	ts := startServer(t, map[string]string{"alice": aliceLine, "carol": carolLine}, []string{"carol"}, 0)
	tests := []struct {
		signer gossh.Signer
		want   string
	}{
		{alice, "hello alice key=" + gossh.FingerprintSHA256(alice.PublicKey()) + " from=127.0.0.1 actions=true"},
		{carol, "hello carol key=" + gossh.FingerprintSHA256(carol.PublicKey()) + " from=127.0.0.1 actions=false"},
	}
	for _, tt := range tests {
		out := consoleScreen(t, ts, tt.signer, "q")
		if !strings.Contains(out, tt.want) {
			t.Errorf("screen %q lacks %q", out, tt.want)
		}
	}
}

// consoleScreen opens a console session, waits for its first frame,
// types keys and returns what was drawn until the session ended.
func consoleScreen(t *testing.T, ts *testServer, signer gossh.Signer, keys string) string {
	t.Helper()
	c, err := ts.dial(signer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.RequestPty("xterm-256color", 24, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, _ := s.StdinPipe()
	var out syncBuffer
	s.Stdout = &out
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "hello") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	io.WriteString(stdin, keys)
	waitErr := make(chan error, 1)
	go func() { waitErr <- s.Wait() }()
	select {
	case <-waitErr:
	case <-time.After(10 * time.Second):
		t.Errorf("the console did not quit on %q", keys)
	}
	return out.String()
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestNoPasswordAuth: the server offers public keys only.
func TestNoPasswordAuth(t *testing.T) {
	_, line := newKey(t)
	ts := startServer(t, map[string]string{"alice": line}, nil, 0)
	_, err := gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User: "ops",
		Auth: []gossh.AuthMethod{gossh.Password("secret"), gossh.KeyboardInteractive(
			func(string, string, []string, []bool) ([]string, error) { return []string{"secret"}, nil })},
		HostKeyCallback: gossh.FixedHostKey(ts.hostKey),
	})
	if err == nil || !strings.Contains(err.Error(), "[none publickey]") && !strings.Contains(err.Error(), "no supported methods remain") {
		t.Fatalf("password login: %v", err)
	}
}

// TestMaxSessions: sessions beyond the maximum are refused.
func TestMaxSessions(t *testing.T) {
	alice, line := newKey(t)
	ts := startServer(t, map[string]string{"alice": line}, nil, 1)
	c, err := ts.dial(alice)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first, _ := c.NewSession()
	defer first.Close()
	if err := first.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := first.Shell(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the first session is counted
	out, code := run(t, c, "scan --json")
	if code == 0 || !strings.Contains(out, "too many sessions") {
		t.Errorf("a second session: exit %d, %q", code, out)
	}
}

// TestRevokedKey: a line removed from authorized_keys takes effect on
// the next connection, without a restart.
func TestRevokedKey(t *testing.T) {
	alice, line := newKey(t)
	ts := startServer(t, map[string]string{"alice": line}, nil, 0)
	if c, err := ts.dial(alice); err != nil {
		t.Fatal(err)
	} else {
		c.Close()
	}
	writeFile(t, filepath.Join(ts.dir, "authorized_keys"), "", 0o600)
	if _, err := ts.dial(alice); err == nil {
		t.Fatal("a removed key was still let in")
	}
	_ = os.Remove(filepath.Join(ts.dir, "authorized_keys"))
	if _, err := ts.dial(alice); err == nil {
		t.Fatal("a missing authorized_keys let a key in")
	}
}

// TestIdleTimeout: a connection with no traffic is closed.
func TestIdleTimeout(t *testing.T) {
	alice, line := newKey(t)
	ts := startServerIdle(t, map[string]string{"alice": line}, nil, 0, 300*time.Millisecond)
	c, err := ts.dial(alice)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closed := make(chan error, 1)
	go func() { closed <- c.Wait() }()
	start := time.Now()
	select {
	case <-closed:
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("closed after %s, before the idle timeout", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an idle connection was not closed")
	}
}

// TestPanicEndsOnlyItsSession: a bug that panics in one session does not
// take the server, or the other operators, down.
func TestPanicEndsOnlyItsSession(t *testing.T) {
	alice, line := newKey(t)
	ts := startServer(t, map[string]string{"alice": line}, nil, 0)
	c, err := ts.dial(alice)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run("stats --filter=panic"); err == nil {
		t.Error("a panicking command succeeded")
	}
	s.Close()
	c2, err := ts.dial(alice)
	if err != nil {
		t.Fatalf("the server is gone after a panic: %v", err)
	}
	defer c2.Close()
	if out, code := run(t, c2, "scan --json"); code != 3 || !strings.Contains(out, "ran scan") {
		t.Errorf("after a panic: exit %d, %q", code, out)
	}
}
