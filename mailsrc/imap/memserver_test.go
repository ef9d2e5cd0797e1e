package imap

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

const (
	memUser     = "quarantine"
	memPassword = "test-" + "password-xyz"
)

// memServer is an in-process IMAP server behind a proxy that tests can cut.
type memServer struct {
	user  *imapmemserver.User
	proxy *cutProxy
}

// caps presets for the in-process server.
var (
	capsRev2   = goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIMAP4rev2: {}}
	capsNoMove = goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapUIDPlus: {}}
	capsBare   = goimap.CapSet{goimap.CapIMAP4rev1: {}}
)

func newMemServer(t *testing.T, caps goimap.CapSet) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(memUser, memPassword)
	for _, mb := range []string{"INBOX", "Quarantine", "Released", "Trash"} {
		if err := user.Create(mb, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Caps:         caps,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &memServer{user: user, proxy: newCutProxy(t, ln.Addr().String())}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

// add appends raw to mailbox directly in the server's memory.
func (m *memServer) add(t *testing.T, mailbox string, raw []byte) goimap.UID {
	t.Helper()
	data, err := m.user.Append(mailbox, literal{bytes.NewReader(raw)}, &goimap.AppendOptions{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return data.UID
}

// url is the mailbox URL through the proxy.
func (m *memServer) url(mailbox string) string {
	return "imap://" + memUser + "@" + m.proxy.addr() + "/" + mailbox
}

// open opens mailbox with a test configuration (no TLS, no real sleeps).
func (m *memServer) open(t *testing.T, mailbox string, tweak func(*Config)) *Source {
	t.Helper()
	t.Setenv(PasswordEnv, memPassword)
	cfg := Config{
		URL:               m.url(mailbox),
		InsecurePlaintext: true,
		ReleaseMailbox:    "Released",
		sleep:             func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		Logf:              t.Logf,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// cutProxy forwards TCP connections and can cut all of them at once, as a
// server restart or a network blip does.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	// gate, while set (hold), keeps new connections from reaching the
	// server until it is closed (release).
	gate chan struct{}
	// egress receives a copy of every byte clients send.
	egress bytes.Buffer
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { p.release(); ln.Close(); p.cut() }) // release: a test that failed while holding
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			gate := p.gate
			p.mu.Unlock()
			if gate != nil {
				<-gate
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(c, up); c.Close() }()
			go func() { io.Copy(up, io.TeeReader(c, p)); up.Close() }()
		}
	}()
	return p
}

// Write records client-to-server bytes.
func (p *cutProxy) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.egress.Write(b)
}

func (p *cutProxy) sent() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.egress.String()
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

// hold keeps the connections made from now on waiting, without the
// server's greeting, until release: what happens meanwhile happens
// while the clients are disconnected, whatever the scheduler does.
func (p *cutProxy) hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate == nil {
		p.gate = make(chan struct{})
	}
}

// release lets the connections held wait no more.
func (p *cutProxy) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

// cut closes every open connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
