// Package smtptest runs a real SMTP server (go-smtp) on a loopback port for
// tests of releases: it accepts every message and keeps what it got.
package smtptest

import (
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Delivery is one message the sink accepted.
type Delivery struct {
	From  string
	Rcpts []string
	Data  []byte
}

// Sink is the running server.
type Sink struct {
	// Addr is the server's host:port.
	Addr string

	mu     sync.Mutex
	got    []Delivery
	refuse string
}

// Start runs a sink until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	sink := &Sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{sink: sink}, nil
	}))
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 64 << 20
	srv.EnableSMTPUTF8 = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.Addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sink
}

// Deliveries returns what the sink accepted so far.
func (s *Sink) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// Refuse makes RCPT TO fail for addr ("" accepts everyone again), as a
// relay refusing an unknown user does.
func (s *Sink) Refuse(addr string) {
	s.mu.Lock()
	s.refuse = addr
	s.mu.Unlock()
}

type session struct {
	sink *Sink
	cur  Delivery
}

func (s *session) Reset()        { s.cur = Delivery{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = Delivery{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.sink.mu.Lock()
	refused := s.sink.refuse != "" && strings.EqualFold(to, s.sink.refuse)
	s.sink.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.Rcpts = append(s.cur.Rcpts, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	s.sink.mu.Lock()
	s.sink.got = append(s.sink.got, s.cur)
	s.sink.mu.Unlock()
	return nil
}
