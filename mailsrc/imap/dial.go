package imap

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"
)

// permanentError marks an error that reconnecting cannot cure: a refused
// certificate, a failed login, a missing mailbox.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// secret holds a password and never prints it, even with %v or %#v.
type secret string

func (secret) String() string   { return "[redacted]" }
func (secret) GoString() string { return "[redacted]" }

// tlsConfig builds the TLS configuration: system roots plus CAFile,
// verification always on.
func tlsConfig(ep endpoint, caFile string) (*tls.Config, error) {
	conf := &tls.Config{ServerName: ep.host, MinVersion: tls.VersionTLS12, NextProtos: []string{"imap"}}
	if caFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("imap: --ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("imap: --ca %s holds no PEM certificate", caFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

// certError turns a certificate verification failure into a clear,
// permanent error; other errors pass through.
func certError(ep endpoint, err error) error {
	var verr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invErr x509.CertificateInvalidError
	if errors.As(err, &verr) || errors.As(err, &hostErr) || errors.As(err, &authErr) || errors.As(err, &invErr) {
		return permanentError{fmt.Errorf("imap: the TLS certificate of %s is not trusted: %w (for a server with a private CA, pass --ca FILE)", ep.addr, err)}
	}
	return err
}

// connect opens, secures and authenticates one connection. It makes a
// single attempt; reconnection policy lives in run.
func (s *Source) connect(ctx context.Context, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	defer cancel()
	d := net.Dialer{}
	raw, err := d.DialContext(ctx, "tcp", s.ep.addr)
	if err != nil {
		return nil, fmt.Errorf("imap: connecting to %s: %w", s.ep.addr, err)
	}
	s.stats.connections.Add(1)
	var conn net.Conn = &wireConn{Conn: raw, c: &s.stats}
	switch {
	case s.ep.implicitTLS:
		conn, err = s.handshake(ctx, conn)
	case !s.cfg.InsecurePlaintext:
		conn, err = s.startTLS(ctx, conn)
	}
	if err != nil {
		raw.Close()
		return nil, err
	}
	opts := &imapclient.Options{
		UnilateralDataHandler: handler,
		WordDecoder:           &mime.WordDecoder{CharsetReader: charset.Reader},
	}
	c := imapclient.New(&commandConn{Conn: conn, c: &s.stats}, opts)
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap: %s: no greeting: %w", s.ep.addr, err)
	}
	if err := s.authenticate(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// handshake runs the TLS handshake on conn.
func (s *Source) handshake(ctx context.Context, conn net.Conn) (net.Conn, error) {
	tc := tls.Client(conn, s.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, certError(s.ep, fmt.Errorf("imap: TLS with %s: %w", s.ep.addr, err))
	}
	return tc, nil
}

// startTLS speaks the clear-text part of the protocol itself (greeting,
// STARTTLS) so that the command counter and TLS sit below the IMAP client
// exactly as with implicit TLS. A server that refuses STARTTLS is an
// error: there is no fallback to clear text.
func (s *Source) startTLS(ctx context.Context, conn net.Conn) (net.Conn, error) {
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
		defer conn.SetDeadline(time.Time{})
	}
	br := bufio.NewReaderSize(conn, 4096)
	greeting, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("imap: %s: reading the greeting: %w", s.ep.addr, err)
	}
	if !strings.HasPrefix(strings.ToUpper(greeting), "* OK") {
		// PREAUTH before TLS would skip authentication in clear text.
		return nil, permanentError{fmt.Errorf("imap: %s greets with %q; refusing to go on without TLS", s.ep.addr, truncate(greeting, 80))}
	}
	if _, err := io.WriteString(conn, "S0 STARTTLS\r\n"); err != nil {
		return nil, err
	}
	s.stats.commands.Add(1)
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, fmt.Errorf("imap: %s: STARTTLS: %w", s.ep.addr, err)
		}
		if strings.HasPrefix(line, "* ") {
			continue
		}
		if !strings.HasPrefix(strings.ToUpper(line), "S0 OK") {
			return nil, permanentError{fmt.Errorf("imap: %s refuses STARTTLS (%q); use imaps:// or, for a loopback test only, --insecure-plaintext", s.ep.addr, truncate(line, 80))}
		}
		break
	}
	if br.Buffered() > 0 {
		// Bytes after the OK before our ClientHello: a STARTTLS injection
		// attempt (CVE-2011-0411 style). Refuse.
		return nil, permanentError{fmt.Errorf("imap: %s sent data after STARTTLS OK; refusing", s.ep.addr)}
	}
	tc, err := s.handshake(ctx, conn)
	if err != nil {
		return nil, err
	}
	// The IMAP client expects a greeting; after STARTTLS the server sends
	// none, so hand it a neutral one. It then asks for CAPABILITY afresh.
	return &prefixConn{Conn: tc, r: io.MultiReader(strings.NewReader("* OK STARTTLS done\r\n"), tc)}, nil
}

// readLine reads one CRLF-terminated line of at most 8 KiB.
func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for sb.Len() < 8192 {
		b, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		if b == '\n' {
			return strings.TrimSuffix(sb.String(), "\r"), nil
		}
		sb.WriteByte(b)
	}
	return "", errors.New("line too long")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// prefixConn is a connection whose first bytes come from r.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (p *prefixConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// authenticate logs in with OAuth when a token command is configured, else
// with the password: AUTHENTICATE PLAIN when offered, LOGIN otherwise.
func (s *Source) authenticate(ctx context.Context, c *imapclient.Client) error {
	caps := c.Caps()
	if caps == nil {
		return fmt.Errorf("imap: %s: no CAPABILITY answer", s.ep.addr)
	}
	var err error
	switch {
	case s.cfg.TokenCommand != "":
		token, terr := runSecretCommand(ctx, "token command", s.cfg.TokenCommand)
		if terr != nil {
			return permanentError{terr}
		}
		switch {
		case caps.Has(goimap.AuthCap(sasl.OAuthBearer)):
			port, _ := strconv.Atoi(s.ep.addr[strings.LastIndexByte(s.ep.addr, ':')+1:])
			err = c.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: s.ep.user, Token: token, Host: s.ep.host, Port: port}))
		case caps.Has(goimap.AuthCap("XOAUTH2")):
			err = c.Authenticate(&xoauth2Client{user: s.ep.user, token: secret(token)})
		default:
			return permanentError{fmt.Errorf("imap: %s offers neither OAUTHBEARER nor XOAUTH2 for the token command", s.ep.addr)}
		}
		err = scrub(err, token)
	case caps.Has(goimap.AuthCap(sasl.Plain)):
		err = scrub(c.Authenticate(sasl.NewPlainClient("", s.ep.user, string(s.password))), string(s.password))
	case caps.Has(goimap.CapLoginDisabled):
		return permanentError{fmt.Errorf("imap: %s disables LOGIN and offers no AUTH=PLAIN", s.ep.addr)}
	default:
		err = scrub(c.Login(s.ep.user, string(s.password)).Wait(), string(s.password))
	}
	if err == nil {
		return nil
	}
	var ierr *goimap.Error
	var oerr *sasl.OAuthBearerError
	if errors.As(err, &ierr) || errors.As(err, &oerr) {
		return permanentError{fmt.Errorf("imap: login as %q on %s failed: %w", s.ep.user, s.ep.addr, err)}
	}
	return fmt.Errorf("imap: login on %s: %w", s.ep.addr, err)
}

// scrub replaces err by one whose text cannot contain the secret, should
// a server be foolish enough to echo it.
func scrub(err error, secretText string) error {
	if err == nil || secretText == "" || !strings.Contains(err.Error(), secretText) {
		return err
	}
	var ierr *goimap.Error
	if errors.As(err, &ierr) {
		clean := *ierr
		clean.Text = strings.ReplaceAll(clean.Text, secretText, "[redacted]")
		return &clean
	}
	return errors.New(strings.ReplaceAll(err.Error(), secretText, "[redacted]"))
}

// xoauth2Client is Google's and Microsoft's XOAUTH2 SASL mechanism, which
// go-sasl does not carry.
type xoauth2Client struct {
	user  string
	token secret
}

func (x *xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + string(x.token) + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server fails the command with its reason.
func (x *xoauth2Client) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }
