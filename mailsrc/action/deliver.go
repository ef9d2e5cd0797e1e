package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"mxaudit/model/store/fsx"
)

// deliverer hands a released message to where its recipients get it.
type deliverer interface {
	// deliver streams b from sender ("" for <>) to rcpts, all or none.
	// An error wrapping errUncertain means the message may have been
	// delivered all the same; errChanged, that the bytes were not the
	// ones checked and the delivery was aborted before it completed.
	deliver(ctx context.Context, sender string, rcpts []string, b body) error
	close()
}

// errUncertain marks a delivery whose outcome is unknown: the connection
// broke after the whole message was sent, before the relay answered.
var errUncertain = errors.New("the relay did not confirm the delivery; it may or may not have happened")

// SMTP timeouts: a local relay answers commands at once; accepting a
// large message may take longer (a content filter in front of the queue).
const (
	smtpDialTimeout    = 30 * time.Second
	smtpCommandTimeout = time.Minute
	smtpDataTimeout    = 5 * time.Minute
)

// smtpDeliverer delivers to a relay over one connection kept open for a
// whole Execute, one transaction per message.
type smtpDeliverer struct {
	relay, helo string
	c           *smtp.Client
}

func (d *smtpDeliverer) connect(ctx context.Context) error {
	if d.c != nil {
		if err := d.c.Reset(); err == nil {
			return nil
		}
		d.close()
	}
	dialer := net.Dialer{Timeout: smtpDialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", d.relay)
	if err != nil {
		return fmt.Errorf("SMTP relay %s: %w", d.relay, err)
	}
	c := smtp.NewClient(conn)
	c.CommandTimeout, c.SubmissionTimeout = smtpCommandTimeout, smtpDataTimeout
	if err := c.Hello(d.helo); err != nil {
		c.Close()
		return fmt.Errorf("SMTP relay %s: %w", d.relay, err)
	}
	d.c = c
	return nil
}

func (d *smtpDeliverer) deliver(ctx context.Context, sender string, rcpts []string, b body) error {
	if err := d.connect(ctx); err != nil {
		return err
	}
	err := d.transaction(sender, rcpts, b)
	if err != nil {
		// The connection's state is unknown after a failure: start afresh
		// next time.
		d.close()
		return fmt.Errorf("SMTP relay %s: %w", d.relay, err)
	}
	return nil
}

// transaction runs MAIL, RCPT for every recipient, DATA. A recipient the
// relay refuses fails the whole message before DATA: a release is to all
// the chosen recipients or to none.
//
// The message is streamed into DATA. When reading it fails, or its bytes
// are not the ones checked (errChanged), the connection is dropped before
// the final dot: a relay never accepts a message whose DATA did not end.
func (d *smtpDeliverer) transaction(sender string, rcpts []string, b body) error {
	opts := &smtp.MailOptions{Size: b.size, UTF8: !allASCII(append([]string{sender}, rcpts...))}
	if err := d.c.Mail(sender, opts); err != nil {
		return fmt.Errorf("MAIL FROM:<%s>: %w", sender, err)
	}
	for _, r := range rcpts {
		if err := d.c.Rcpt(r, nil); err != nil {
			return fmt.Errorf("RCPT TO:<%s>: %w", r, err)
		}
	}
	r, err := b.reader()
	if err != nil {
		return fmt.Errorf("cannot read the message: %w", err)
	}
	defer r.Close()
	w, err := d.c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := io.Copy(w, r); err != nil {
		d.c.Close() // abort: no final dot
		d.c = nil
		return fmt.Errorf("DATA aborted: %w", err)
	}
	if err := w.Close(); err != nil {
		var serr *smtp.SMTPError
		if errors.As(err, &serr) {
			return fmt.Errorf("the relay refused the message: %w", err)
		}
		return fmt.Errorf("%w (%v)", errUncertain, err)
	}
	return nil
}

func (d *smtpDeliverer) close() {
	if d.c != nil {
		d.c.Quit()
		d.c.Close()
		d.c = nil
	}
}

func allASCII(ss []string) bool {
	for _, s := range ss {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return false
			}
		}
	}
	return true
}

// maildirDeliverer delivers into a Maildir the way an MDA does: the
// message is written to tmp/, fsynced, and renamed into new/.
type maildirDeliverer struct {
	dir  string
	host string
}

// maildirSeq makes delivery names unique within the process.
var maildirSeq atomic.Int64

func newMaildirDeliverer(dir string) (*maildirDeliverer, error) {
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, fmt.Errorf("delivery Maildir: %w", err)
		}
	}
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", `\057`, ":", `\072`).Replace(host)
	if host == "" {
		host = "localhost"
	}
	return &maildirDeliverer{dir: dir, host: host}, nil
}

func (d *maildirDeliverer) deliver(_ context.Context, _ string, _ []string, b body) (err error) {
	r, err := b.reader()
	if err != nil {
		return fmt.Errorf("cannot read the message: %w", err)
	}
	defer r.Close()
	now := time.Now()
	name := strconv.FormatInt(now.Unix(), 10) + ".M" + strconv.Itoa(now.Nanosecond()/1000) +
		"P" + strconv.Itoa(os.Getpid()) + "Q" + strconv.FormatInt(maildirSeq.Add(1), 10) + "." + d.host
	tmp := filepath.Join(d.dir, "tmp", name)
	f, err := fsx.Create(tmp, os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("delivery Maildir: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("delivery Maildir: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("delivery Maildir: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("delivery Maildir: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(d.dir, "new", name)); err != nil {
		return fmt.Errorf("delivery Maildir: %w", err)
	}
	return fsx.SyncDir(filepath.Join(d.dir, "new"))
}

func (d *maildirDeliverer) close() {}
