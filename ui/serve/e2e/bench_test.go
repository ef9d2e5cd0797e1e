package e2e

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto/ed25519"
	"crypto/rand"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"mxaudit/mailsrc/demo"
	"mxaudit/ui/app"
	"mxaudit/ui/console"
	"mxaudit/ui/serve"
)

// BenchmarkTenSessions serves a generated quarantine to ten concurrent
// x/crypto/ssh clients running the real console, and reports: the time
// of the one shared scan, the resident memory each session adds once its
// list is full, and key-to-frame latency (a key sent, the first bytes of
// the next frame back). Set MXAUDIT_BENCH_DIR to a quarantine written by
// "go run ./testdata/gen -out DIR -n 100000"; otherwise 2,000 messages
// are generated. Timings are reported, not asserted: the machine varies.
func BenchmarkTenSessions(b *testing.B) {
	dir := os.Getenv("MXAUDIT_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "q")
		w, err := demo.NewStoreWriter(demo.FormatMaildir, dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := demo.Bulk(2000, 1, w.Write); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		runTenSessions(b, dir, 10)
	}
}

func runTenSessions(b *testing.B, dir string, sessions int) {
	tmp := b.TempDir()
	cfg := app.Config{Offline: true, Flags: app.Flags{NoCache: true}}
	a, err := app.Open(context.Background(), dir, cfg, app.Options{PollInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	hub := app.NewHub(a, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	hub.Start(ctx)
	if err := hub.Wait(ctx); err != nil {
		b.Fatal(err)
	}
	scanTime := time.Since(start)
	base := rss(b)

	signers := make([]gossh.Signer, sessions)
	var lines []string
	for i := range signers {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		signers[i], _ = gossh.NewSignerFromKey(priv)
		lines = append(lines, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signers[i].PublicKey())))+" op"+strconv.Itoa(i))
	}
	keys := filepath.Join(tmp, "authorized_keys")
	if err := os.WriteFile(keys, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	srv, err := serve.New(serve.Config{
		Settings: app.ServeConfig{AuthorizedKeys: keys, HostKey: filepath.Join(tmp, "host_key"), MaxSessions: sessions + 1},
		Hub:      hub,
		Console: func(ctx context.Context, s *app.Session, env []string) tea.Model {
			return console.NewSession(ctx, console.ConfigForSession(s), env)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ctx, l)

	clients := make([]*benchClient, sessions)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			clients[i] = openBenchClient(b, l.Addr().String(), signers[i])
		}()
	}
	wg.Wait()
	for _, c := range clients {
		c.waitFor(b, "scan complete", 5*time.Minute)
	}
	perSession := float64(rss(b)-base) / float64(sessions) / (1 << 20)

	var mu sync.Mutex
	var lat []time.Duration
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				d := c.keyToFrame(b, []string{"j", "k"}[k%2])
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	for _, c := range clients {
		c.close()
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(float64(hub.Len()), "messages")
	b.ReportMetric(scanTime.Seconds(), "scan-s")
	b.ReportMetric(perSession, "MB-RSS/session")
	b.ReportMetric(ms(lat[0]), "ms-min")
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-median")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "ms-p95")
	b.ReportMetric(ms(lat[len(lat)-1]), "ms-max")
}

// rss is the process's resident set after a collection, in bytes.
func rss(b *testing.B) int64 {
	runtime.GC()
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status: RSS cannot be measured here")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// benchClient is one x/crypto/ssh console session whose output is read
// continuously.
type benchClient struct {
	c     *gossh.Client
	s     *gossh.Session
	stdin io.Writer
	mu    sync.Mutex
	out   strings.Builder
	got   chan struct{} // a signal per read
}

func openBenchClient(b *testing.B, addr string, signer gossh.Signer) *benchClient {
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "ops", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey()}) // a throw-away key on loopback
	if err != nil {
		b.Error(err)
		return nil
	}
	s, _ := c.NewSession()
	bc := &benchClient{c: c, s: s, got: make(chan struct{}, 1)}
	_ = s.RequestPty("xterm-256color", 40, 160, gossh.TerminalModes{})
	bc.stdin, _ = s.StdinPipe()
	stdout, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		b.Error(err)
	}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				bc.mu.Lock()
				if bc.out.Len() < 1<<20 {
					bc.out.Write(buf[:n])
				}
				bc.mu.Unlock()
				select {
				case bc.got <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return bc
}

func (bc *benchClient) waitFor(b *testing.B, text string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		bc.mu.Lock()
		ok := strings.Contains(bc.out.String(), text)
		bc.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("no %q within %s", text, timeout)
}

// keyToFrame sends key and times the first output that follows.
func (bc *benchClient) keyToFrame(b *testing.B, key string) time.Duration {
	// Drain what came before.
	time.Sleep(30 * time.Millisecond)
	select {
	case <-bc.got:
	default:
	}
	start := time.Now()
	if _, err := io.WriteString(bc.stdin, key); err != nil {
		b.Fatal(err)
	}
	select {
	case <-bc.got:
		return time.Since(start)
	case <-time.After(10 * time.Second):
		b.Fatalf("no frame within 10s of %q", key)
	}
	return 0
}

func (bc *benchClient) close() {
	io.WriteString(bc.stdin, "q")
	bc.s.Close()
	bc.c.Close()
}
