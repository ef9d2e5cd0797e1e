package auth

import (
	"context"
	"errors"
	"net"
)

// Resolver is the DNS interface every check goes through. It is the method
// set of *net.Resolver that blitiri.com.ar/go/spf needs, so a
// *net.Resolver satisfies it too.
//
// Implementations report failures as *net.DNSError values, never wrapped,
// because the SPF, DKIM and DMARC libraries inspect the concrete type: a
// name or record that does not exist sets IsNotFound (NXDOMAIN and "no
// records of that type" alike); a timeout sets IsTimeout; SERVFAIL, REFUSED
// and network failures set IsTemporary.
type Resolver interface {
	// LookupTXT returns the TXT records of name, the strings of each
	// record joined without separator.
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupMX returns the MX records of name sorted by preference.
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	// LookupIPAddr returns the A and AAAA addresses of host.
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	// LookupAddr returns the PTR names of the IP address addr.
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// errNoSuchHost is the text Go's own resolver uses for NXDOMAIN and NODATA.
const errNoSuchHost = "no such host"

// ErrNXDomain and ErrNoData tell the two kinds of "not found" apart for
// the resolvers that know them (this package's DNS client and static
// zones): errors.Is(err, ErrNXDomain) means the name does not exist at all
// (RFC 8020), ErrNoData that it exists without records of the asked type.
// Both errors also set IsNotFound. Go's own resolver reports neither.
var (
	ErrNXDomain = errors.New("NXDOMAIN")
	ErrNoData   = errors.New("NODATA")
)

// notFoundError reports that name has no record of the asked type, the
// kind unknown.
func notFoundError(name, server string) *net.DNSError {
	return &net.DNSError{Err: errNoSuchHost, Name: name, Server: server, IsNotFound: true}
}

// nxdomainError reports that name does not exist (rcode NXDOMAIN).
func nxdomainError(name, server string) *net.DNSError {
	e := notFoundError(name, server)
	e.UnwrapErr = ErrNXDomain
	return e
}

// nodataError reports that name exists but has no record of the asked
// type (NOERROR with an empty answer).
func nodataError(name, server string) *net.DNSError {
	e := notFoundError(name, server)
	e.UnwrapErr = ErrNoData
	return e
}

// timeoutError reports a query that got no answer in time.
func timeoutError(name, server string) *net.DNSError {
	return &net.DNSError{Err: "i/o timeout", Name: name, Server: server, IsTimeout: true}
}

// temporaryError reports a failure that may go away on retry: SERVFAIL,
// REFUSED, a network error.
func temporaryError(name, server, msg string) *net.DNSError {
	return &net.DNSError{Err: msg, Name: name, Server: server, IsTemporary: true}
}

// contextError turns a cancelled or expired context into a DNS error of the
// right kind: an expired deadline is a timeout, a cancellation temporary.
func contextError(ctx context.Context, name, server string) *net.DNSError {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return timeoutError(name, server)
	}
	return temporaryError(name, server, ctx.Err().Error())
}

// IsNotFound reports whether err says the name or record does not exist
// (NXDOMAIN or no record of the asked type): a permanent, cacheable answer.
func IsNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// IsTemporary reports whether err is a timeout or another failure that may
// go away on retry; checks turn it into temperror.
func IsTemporary(err error) bool {
	var de *net.DNSError
	if errors.As(err, &de) {
		return de.IsTimeout || de.IsTemporary
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}
