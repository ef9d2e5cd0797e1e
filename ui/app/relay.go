package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/emersion/go-smtp"
)

// relayTimeout bounds a whole notification's SMTP transaction: a notice
// is a few kilobytes for a local relay.
const relayTimeout = time.Minute

// SendMail hands one new message (a notice or a reminder mxaudit wrote
// itself) to the SMTP relay: MAIL, RCPT for each recipient, DATA. The
// release path has its own delivery in mailsrc/action, which keeps one
// connection for many messages and tells uncertain outcomes apart; a
// notice is one message, and an uncertain outcome is simply an error.
func SendMail(ctx context.Context, relay, from string, rcpts []string, raw []byte) error {
	if relay == "" {
		return errors.New("no relay is configured (relay = \"HOST:PORT\")")
	}
	ctx, cancel := context.WithTimeout(ctx, relayTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", relay)
	if err != nil {
		return fmt.Errorf("SMTP relay %s: %w", relay, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	if err := c.Hello(host); err != nil {
		return fmt.Errorf("SMTP relay %s: %w", relay, err)
	}
	if err := c.SendMail(from, rcpts, bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("SMTP relay %s: %w", relay, err)
	}
	return c.Quit()
}
