package auth

import (
	"context"
	"errors"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DefaultQueryTimeout bounds one DNS query when the caller gives no timeout.
const DefaultQueryTimeout = 2 * time.Second

// ednsBufferSize is the UDP payload size advertised with EDNS0: the DNS
// flag day 2020 value, small enough to avoid IP fragmentation. Larger
// answers come back truncated and are fetched again over TCP.
const ednsBufferSize = 1232

// resolvConf is where the system resolver's servers are read from.
const resolvConf = "/etc/resolv.conf"

// NewDNSResolver returns a Resolver that asks the DNS server at server
// ("HOST:PORT", or "HOST" for port 53) over UDP, retrying over TCP when the
// answer is truncated. Each query is bounded by timeout (DefaultQueryTimeout
// when zero or negative) as well as by the caller's context, so an
// unreachable server gives a timeout error, never a hang.
//
// With server "", the servers of /etc/resolv.conf are asked in turn; when
// that file cannot be read, Go's net.DefaultResolver is used with the same
// per-query timeout.
func NewDNSResolver(server string, timeout time.Duration) Resolver {
	if timeout <= 0 {
		timeout = DefaultQueryTimeout
	}
	var servers []string
	if server != "" {
		servers = []string{withDefaultPort(server, "53")}
	} else if cfg, err := dns.ClientConfigFromFile(resolvConf); err == nil && len(cfg.Servers) > 0 {
		for _, s := range cfg.Servers {
			servers = append(servers, net.JoinHostPort(s, cfg.Port))
		}
	} else {
		return &systemResolver{r: net.DefaultResolver, timeout: timeout}
	}
	return &dnsClient{
		servers: servers,
		timeout: timeout,
		udp:     &dns.Client{Net: "udp", Timeout: timeout, UDPSize: ednsBufferSize},
		tcp:     &dns.Client{Net: "tcp", Timeout: timeout},
	}
}

// withDefaultPort adds port to host when it has none ("::1" included).
func withDefaultPort(hostport, port string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), port)
}

// dnsClient speaks DNS itself with miekg/dns.
type dnsClient struct {
	servers  []string
	timeout  time.Duration
	udp, tcp *dns.Client
}

// query asks each server in turn for name/qtype until one gives a definite
// answer, and returns the answer records of type qtype.
func (c *dnsClient) query(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	fqdn := dns.Fqdn(name)
	if _, ok := dns.IsDomainName(fqdn); !ok || strings.ContainsAny(name, " \t\r\n") {
		// A name taken from a message that cannot be put in a query; Go's
		// resolver reports these as "no such host" too.
		return nil, &net.DNSError{Err: "invalid domain name", Name: name, IsNotFound: true}
	}
	var lastErr error
	for _, server := range c.servers {
		rrs, err := c.queryServer(ctx, server, fqdn, name, qtype)
		if err == nil || IsNotFound(err) || ctx.Err() != nil {
			return rrs, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// queryServer asks one server, over UDP first and over TCP when the answer
// does not fit.
func (c *dnsClient) queryServer(ctx context.Context, server, fqdn, name string, qtype uint16) ([]dns.RR, error) {
	qctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	m := new(dns.Msg)
	m.SetQuestion(fqdn, qtype)
	m.RecursionDesired = true
	m.SetEdns0(ednsBufferSize, false)

	resp, _, err := c.udp.ExchangeContext(qctx, m, server)
	if err == nil && resp.Truncated {
		resp, _, err = c.tcp.ExchangeContext(qctx, m, server)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, contextError(ctx, name, server)
		}
		var ne net.Error
		if qctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
			return nil, timeoutError(name, server)
		}
		return nil, temporaryError(name, server, err.Error())
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, nxdomainError(name, server)
	default:
		// SERVFAIL, REFUSED, FORMERR, NOTIMP: the answer is not known.
		return nil, temporaryError(name, server, "server answered "+dns.RcodeToString[resp.Rcode])
	}
	var rrs []dns.RR
	for _, rr := range resp.Answer {
		// CNAME records on the way are skipped: a recursive server has
		// already followed them and appended the target's records.
		if rr.Header().Rrtype == qtype {
			rrs = append(rrs, rr)
		}
	}
	if len(rrs) == 0 {
		return nil, nodataError(name, server)
	}
	return rrs, nil
}

// LookupTXT implements Resolver.
func (c *dnsClient) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := c.query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		var b strings.Builder
		for _, part := range rr.(*dns.TXT).Txt {
			b.WriteString(unescapeTXT(part))
		}
		out = append(out, b.String())
	}
	return out, nil
}

// unescapeTXT undoes the presentation-form escapes miekg/dns puts in TXT
// strings it unpacks: \" and \\ for quote and backslash, \DDD for a byte
// outside printable ASCII.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n <= 255 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// LookupMX implements Resolver.
func (c *dnsClient) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := c.query(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	out := make([]*net.MX, 0, len(rrs))
	for _, rr := range rrs {
		mx := rr.(*dns.MX)
		out = append(out, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pref < out[j].Pref })
	return out, nil
}

// LookupIPAddr implements Resolver: it asks for A and AAAA records and
// succeeds when either exists.
func (c *dnsClient) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	var firstErr error
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rrs, err := c.query(ctx, host, qtype)
		if err != nil {
			// A temporary failure outweighs "not found": the other family
			// may exist but be unreachable.
			if firstErr == nil || (IsNotFound(firstErr) && !IsNotFound(err)) {
				firstErr = err
			}
			continue
		}
		for _, rr := range rrs {
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, net.IPAddr{IP: a.A})
			case *dns.AAAA:
				out = append(out, net.IPAddr{IP: a.AAAA})
			}
		}
	}
	if len(out) == 0 {
		return nil, firstErr
	}
	return out, nil
}

// LookupAddr implements Resolver.
func (c *dnsClient) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: "unrecognized address", Name: addr, IsNotFound: true}
	}
	rrs, err := c.query(ctx, rev, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, rr.(*dns.PTR).Ptr)
	}
	return out, nil
}

// systemResolver wraps Go's resolver with the per-query timeout.
type systemResolver struct {
	r       *net.Resolver
	timeout time.Duration
}

// LookupTXT implements Resolver.
func (s *systemResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.r.LookupTXT(ctx, name)
}

// LookupMX implements Resolver.
func (s *systemResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.r.LookupMX(ctx, name)
}

// LookupIPAddr implements Resolver.
func (s *systemResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.r.LookupIPAddr(ctx, host)
}

// LookupAddr implements Resolver.
func (s *systemResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.r.LookupAddr(ctx, addr)
}
