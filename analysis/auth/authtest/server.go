// Package authtest runs a real DNS server on the loopback interface for
// tests: it serves a dnszone.Zone over UDP and TCP on one random port,
// counts the queries it receives, and can be told to drop or SERVFAIL the
// queries for chosen names so that timeouts and temporary errors can be
// tested without the network. Tests of other packages (the scan command,
// the demo) use it as well, which is why it is not a _test file.
package authtest

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"mxaudit/analysis/dnszone"
)

// maxTXTString is the longest character-string a TXT record can hold; longer
// values are split into several strings of one record (RFC 1035 §3.3).
const maxTXTString = 255

// Server is a DNS server answering from a zone. Its methods are safe for
// concurrent use.
type Server struct {
	addr string
	udp  *dns.Server
	tcp  *dns.Server

	mu      sync.Mutex
	zone    dnszone.Zone
	drop    map[string]bool
	fail    map[string]bool
	perName map[string]int
	delay   time.Duration
	total   atomic.Int64
}

// StartDNS starts a server for zone on 127.0.0.1 (UDP and TCP on the same
// random port) and stops it when the test ends.
func StartDNS(t testing.TB, zone dnszone.Zone) *Server {
	t.Helper()
	s := &Server{
		zone:    zone,
		drop:    make(map[string]bool),
		fail:    make(map[string]bool),
		perName: make(map[string]int),
	}
	pc, ln := listenSamePort(t)
	s.addr = pc.LocalAddr().String()
	handler := dns.HandlerFunc(s.serve)
	s.udp = &dns.Server{PacketConn: pc, Handler: handler}
	s.tcp = &dns.Server{Listener: ln, Handler: handler}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatalf("authtest: DNS server did not start")
		}
	}
	t.Cleanup(func() {
		_ = s.udp.Shutdown()
		_ = s.tcp.Shutdown()
	})
	return s
}

// listenSamePort opens a UDP socket on a random loopback port and a TCP
// listener on the same port, retrying when the TCP port is taken.
func listenSamePort(t testing.TB) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("authtest: listen udp: %v", err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
	}
	t.Fatalf("authtest: no port free for both UDP and TCP")
	return nil, nil
}

// Addr returns the server's "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.addr }

// Queries returns the number of queries received, over UDP and TCP, dropped
// ones included.
func (s *Server) Queries() int { return int(s.total.Load()) }

// QueriesFor returns the number of queries received for name, any type.
func (s *Server) QueriesFor(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perName[normalize(name)]
}

// ResetCounts sets the query counters back to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total.Store(0)
	clear(s.perName)
}

// Drop makes the server ignore every query for name, so that clients time
// out.
func (s *Server) Drop(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop[normalize(name)] = true
}

// ServFail makes the server answer SERVFAIL to every query for name.
func (s *Server) ServFail(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[normalize(name)] = true
}

// SetDelay makes the server wait d before answering each query, as a
// distant or overloaded name server does. Queries are answered
// concurrently, each after its own wait.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetZone replaces the records served.
func (s *Server) SetZone(z dnszone.Zone) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zone = z
}

func normalize(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// serve answers one query.
func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	s.total.Add(1)
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := normalize(q.Name)
	s.mu.Lock()
	s.perName[name]++
	drop, fail, zone, delay := s.drop[name], s.fail[name], s.zone, s.delay
	s.mu.Unlock()
	if drop {
		return
	}
	time.Sleep(delay)
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if fail {
		m.Rcode = dns.RcodeServerFailure
		_ = w.WriteMsg(m)
		return
	}
	exists := false
	for _, r := range zone {
		if r.Name != name {
			continue
		}
		exists = true
		if rr := toRR(q, r); rr != nil {
			m.Answer = append(m.Answer, rr)
		}
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	if _, isUDP := w.RemoteAddr().(*net.UDPAddr); isUDP {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		// Truncate sets TC when the answer does not fit, which sends the
		// client over to TCP.
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

// toRR builds the answer record for r when it has the type asked for.
func toRR(q dns.Question, r dnszone.Record) dns.RR {
	hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 300}
	switch {
	case q.Qtype == dns.TypeTXT && r.Type == "TXT":
		hdr.Rrtype = dns.TypeTXT
		return &dns.TXT{Hdr: hdr, Txt: splitTXT(r.Value)}
	case q.Qtype == dns.TypeA && r.Type == "A":
		ip := net.ParseIP(r.Value).To4()
		if ip == nil {
			return nil
		}
		hdr.Rrtype = dns.TypeA
		return &dns.A{Hdr: hdr, A: ip}
	case q.Qtype == dns.TypeAAAA && r.Type == "AAAA":
		ip := net.ParseIP(r.Value)
		if ip == nil || ip.To4() != nil {
			return nil
		}
		hdr.Rrtype = dns.TypeAAAA
		return &dns.AAAA{Hdr: hdr, AAAA: ip}
	case q.Qtype == dns.TypeMX && r.Type == "MX":
		f := strings.Fields(r.Value)
		if len(f) != 2 {
			return nil
		}
		var pref uint16
		for _, c := range f[0] {
			if c < '0' || c > '9' {
				return nil
			}
			pref = pref*10 + uint16(c-'0')
		}
		hdr.Rrtype = dns.TypeMX
		return &dns.MX{Hdr: hdr, Preference: pref, Mx: dns.Fqdn(f[1])}
	case q.Qtype == dns.TypePTR && r.Type == "PTR":
		hdr.Rrtype = dns.TypePTR
		return &dns.PTR{Hdr: hdr, Ptr: dns.Fqdn(r.Value)}
	}
	return nil
}

// splitTXT cuts a TXT value into character-strings of at most 255 bytes.
// miekg/dns takes them in presentation form, so backslashes and quotes are
// escaped.
func splitTXT(v string) []string {
	var out []string
	for len(v) > maxTXTString {
		out = append(out, escapeTXT(v[:maxTXTString]))
		v = v[maxTXTString:]
	}
	return append(out, escapeTXT(v))
}

func escapeTXT(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
