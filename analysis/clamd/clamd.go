// Package clamd is a client for the ClamAV daemon: it streams content to
// clamd with the INSTREAM command over a unix socket or TCP and reads the
// verdict. Any failure (clamd down, a timeout, a size limit, an unexpected
// reply) gives "not scanned", never "clean": silence from a scanner says
// nothing about the content.
package clamd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"mxaudit/model"
)

// Engine is the name results carry in model.ScanResult.Engine.
const Engine = "clamd"

// Defaults for a Client's zero fields.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultChunkSize = 64 << 10
	// maxReply bounds clamd's answer; a real one is well under 1 KiB.
	maxReply = 4 << 10
)

// Client talks to one clamd. The zero value is not usable; create it with
// New. A Client is safe for concurrent use: every scan opens its own
// connection.
type Client struct {
	network, address string
	// Timeout bounds one whole scan: connecting, streaming and waiting
	// for the verdict.
	Timeout time.Duration
	// ChunkSize is the size of the INSTREAM chunks sent.
	ChunkSize int
}

// New returns a client for addr: a unix socket path ("/run/clamav/clamd.ctl",
// or "unix:/path"), or a TCP "host:port" ("tcp:host:port" also works).
// timeout bounds each scan (DefaultTimeout when 0).
func New(addr string, timeout time.Duration) (*Client, error) {
	network, address, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{network: network, address: address, Timeout: timeout, ChunkSize: DefaultChunkSize}, nil
}

// parseAddr tells a unix socket path from a TCP address.
func parseAddr(addr string) (network, address string, err error) {
	addr = strings.TrimSpace(addr)
	switch {
	case addr == "":
		return "", "", errors.New("clamd: empty address")
	case strings.HasPrefix(addr, "unix:"):
		return "unix", strings.TrimPrefix(addr, "unix:"), nil
	case strings.HasPrefix(addr, "tcp:"):
		addr = strings.TrimPrefix(addr, "tcp:")
	case strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "."):
		return "unix", addr, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", "", fmt.Errorf("clamd: %q is neither a socket path nor host:port", addr)
	}
	return "tcp", addr, nil
}

// String names the daemon for messages: "clamd at /run/clamav/clamd.ctl".
func (c *Client) String() string { return "clamd at " + c.address }

// Scan streams r to clamd and returns its verdict. Only clean and infected
// come from clamd itself; every error gives model.ScanNotScanned with the
// reason in Error.
func (c *Client) Scan(ctx context.Context, r io.Reader) model.ScanResult {
	verdict, sig, err := c.scan(ctx, r)
	if err != nil {
		return model.ScanResult{Engine: Engine, Result: model.ScanNotScanned, Error: err.Error()}
	}
	return model.ScanResult{Engine: Engine, Result: verdict, Signature: sig}
}

// Ping checks that clamd answers PING with PONG.
func (c *Client) Ping(ctx context.Context) error {
	reply, err := c.roundTrip(ctx, func(conn net.Conn) error {
		_, err := conn.Write([]byte("zPING\x00"))
		return err
	})
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return fmt.Errorf("clamd: unexpected reply to PING: %q", reply)
	}
	return nil
}

func (c *Client) scan(ctx context.Context, r io.Reader) (model.ScanOutcome, string, error) {
	reply, err := c.roundTrip(ctx, func(conn net.Conn) error { return c.stream(conn, r) })
	if err != nil {
		return "", "", err
	}
	return ParseReply(reply)
}

// roundTrip connects, lets send write the request, and reads the
// NUL-terminated reply, all within the client's timeout and ctx.
func (c *Client) roundTrip(ctx context.Context, send func(net.Conn) error) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.network, c.address)
	if err != nil {
		return "", fmt.Errorf("clamd unreachable: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A cancelled context must also interrupt a blocked read or write.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	sendErr := send(conn)
	// clamd answers (and closes) early when the stream passes its size
	// limit, so the reply is read even after a failed write.
	reply, readErr := readReply(conn)
	switch {
	case readErr == nil:
		return reply, nil
	case ctx.Err() != nil:
		return "", fmt.Errorf("clamd timed out: %w", ctx.Err())
	case sendErr != nil:
		return "", fmt.Errorf("clamd: sending: %w", sendErr)
	}
	return "", fmt.Errorf("clamd: reading the reply: %w", readErr)
}

// stream sends the INSTREAM command, r in length-prefixed chunks, and the
// zero-length chunk that ends the stream.
func (c *Client) stream(conn net.Conn, r io.Reader) error {
	size := c.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	bw := bufio.NewWriterSize(conn, size+4)
	if _, err := bw.WriteString("zINSTREAM\x00"); err != nil {
		return err
	}
	buf := make([]byte, size)
	var prefix [4]byte
	for {
		n, err := r.Read(buf)
		if n > 0 {
			binary.BigEndian.PutUint32(prefix[:], uint32(n))
			if _, werr := bw.Write(prefix[:]); werr != nil {
				return werr
			}
			if _, werr := bw.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading content: %w", err)
		}
	}
	binary.BigEndian.PutUint32(prefix[:], 0)
	if _, err := bw.Write(prefix[:]); err != nil {
		return err
	}
	return bw.Flush()
}

// readReply reads one reply up to its NUL (or the connection's end).
func readReply(conn net.Conn) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(conn, maxReply), 512)
	reply, err := br.ReadString(0)
	if err != nil && !(errors.Is(err, io.EOF) && reply != "") {
		return "", err
	}
	return strings.TrimSpace(strings.TrimRight(reply, "\x00")), nil
}

// ParseReply interprets a clamd scan reply: "stream: OK" is clean,
// "stream: <Signature> FOUND" infected, anything else (an "... ERROR"
// reply, "INSTREAM size limit exceeded") an error.
func ParseReply(reply string) (model.ScanOutcome, string, error) {
	// Replies to z-commands can carry a "<id>: " request-ID prefix when
	// IDSESSION is used; plain INSTREAM answers "stream: ...".
	body, ok := strings.CutPrefix(reply, "stream:")
	if !ok {
		return "", "", fmt.Errorf("clamd: %s", describe(reply))
	}
	body = strings.TrimSpace(body)
	switch {
	case body == "OK":
		return model.ScanClean, "", nil
	case body == "FOUND" || strings.HasSuffix(body, " FOUND"):
		sig := strings.TrimSpace(strings.TrimSuffix(body, "FOUND"))
		if sig == "" {
			return "", "", errors.New("clamd: FOUND without a signature name")
		}
		return model.ScanInfected, sig, nil
	}
	return "", "", fmt.Errorf("clamd: %s", describe(body))
}

// describe shortens and cleans a reply for an error message.
func describe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "empty reply"
	}
	return s
}

// ScanBytes is Scan on an in-memory buffer.
func (c *Client) ScanBytes(ctx context.Context, b []byte) model.ScanResult {
	return c.Scan(ctx, bytes.NewReader(b))
}
