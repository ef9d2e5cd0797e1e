// Package analysis turns a raw message into mxaudit's verdicts: it walks the
// MIME tree (any charset, RFC 2047/2231 names), inspects every attachment
// (archives by magic bytes, risky types, macros, bombs) and, when given an
// authentication checker, SPF, DKIM and DMARC. It does no I/O of its own
// beyond reading the message it is handed; DNS goes through the checker's
// injected resolver. An Analyzer is safe for concurrent use.
package analysis

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"mxaudit/analysis/archive"
	"mxaudit/analysis/auth"
	"mxaudit/analysis/mimetext"
	"mxaudit/model"
)

// AuthChecker computes the authentication verdicts of a message. It must
// read raw to the end, and must not use raw once Check has returned (the
// bytes behind it may be another message's by then). *auth.Checker
// implements it.
type AuthChecker interface {
	Check(ctx context.Context, raw io.Reader) (*model.Auth, error)
}

// Config tunes an Analyzer. Zero fields take their defaults.
type Config struct {
	// Archive bounds the work spent inside one archive; zero fields take
	// archive.DefaultLimits.
	Archive archive.Limits
	// MaxArchiveBytes is the largest archive attachment that is buffered
	// for inspection (default 64 MiB). A larger one is reported as not
	// inspected, which makes the message risky.
	MaxArchiveBytes int64
	// MaxMessageBytes bounds how much of one message is read (default
	// 256 MiB): a gzip-compressed quarantine file can inflate without
	// limit, and nothing legitimate is that large.
	MaxMessageBytes int64
	// Auth, when set, checks SPF, DKIM and DMARC.
	Auth AuthChecker
	// PairingText, when positive, makes Analyze keep the subject and up
	// to this many bytes of body text in model.Message.PairingText, for
	// PPAP pairing to search for passwords without reading the message
	// again.
	PairingText int64
	// HoldsPassword, when set with PairingText, is pairing's search of
	// that text for password candidates (analysis/ppap's HoldsPassword):
	// Analyze records its answer (model.Message.PasswordsInText) and keeps
	// the text only when it holds one. The search runs on the scan's
	// workers, beside the rest of the analysis, and the answer is cached
	// with it.
	HoldsPassword func(subject, body string) bool
}

// Analyzer analyses messages. Create it with New.
type Analyzer struct {
	cfg Config
	// authHeaderOnly is set when cfg.Auth reads the header alone
	// (headerOnly): Analyze records the header for it.
	authHeaderOnly bool
}

// New returns an Analyzer with cfg's defaults filled in.
func New(cfg Config) *Analyzer {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 256 << 20
	}
	if cfg.MaxArchiveBytes <= 0 {
		cfg.MaxArchiveBytes = 64 << 20
	}
	return &Analyzer{cfg: cfg, authHeaderOnly: headerOnly(cfg.Auth)}
}

// WithPairingText returns an Analyzer like a that keeps up to max bytes of
// every message's text for PPAP pairing (Config.PairingText), searched
// with holds when it is not nil (Config.HoldsPassword).
func (a *Analyzer) WithPairingText(max int64, holds func(subject, body string) bool) *Analyzer {
	b := *a
	b.cfg.PairingText, b.cfg.HoldsPassword = max, holds
	return &b
}

// Analyze reads one raw message to its end and returns its summary and
// verdicts. It never fails: a message that cannot be parsed comes back
// with Error set and the attachment verdict "error", carrying whatever
// could be recovered.
func (a *Analyzer) Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message {
	m := model.Message{ID: id}
	// Analyze returns only after the message is read to its end and the
	// checker has answered, so nothing reads env after that.
	digest, env, counted := a.openRaw(raw)
	defer putReader(env)
	src := io.Reader(counted)

	// Authentication needs the raw bytes (DKIM hashes the body as sent)
	// while the MIME walk needs them decoded; rather than hold the message
	// in memory or read it twice, both consume one stream through a pipe,
	// or, for a checker that reads the header alone, the walk records the
	// header section for it (checkRecordedHeader).
	var finishAuth func() (*model.Auth, error)
	switch {
	case a.cfg.Auth == nil:
	case a.authHeaderOnly:
		src, finishAuth = a.checkRecordedHeader(ctx, counted)
	default:
		src, finishAuth = a.teeToAuth(ctx, counted)
	}
	w := walker{a: a, msg: &m}
	if a.cfg.PairingText > 0 {
		w.text = mimetext.NewBodyText(a.cfg.PairingText)
	}
	w.read(src)
	if w.text != nil && w.parsed {
		w.keepPairingText(digest.eof)
	}
	m.Size = counted.n
	if m.Size == 0 {
		w.problem("empty message: no header and no body")
	}
	if finishAuth != nil {
		w.setAuth(finishAuth())
	}
	composeVerdict(&m, w.errs)
	m.SHA256 = digest.sum()
	return m
}

// AnalyzeSummary analyses a message a source rebuilt from its structure
// (see mailsrc.Summary): the real header, the bodies of the parts that
// matter and, for the others, an empty body marked with
// model.ElidedHeader, whose size it trusts. The body is not the one that
// was signed, so DKIM signatures are not verified here (the checker falls
// back to trusted Authentication-Results); SPF and DMARC are checked as
// usual. Size is that of msg: the caller knows the real one.
func (a *Analyzer) AnalyzeSummary(ctx context.Context, id model.MessageID, msg []byte) model.Message {
	m := model.Message{ID: id, Size: int64(len(msg))}
	w := walker{a: a, msg: &m, trustElided: true}
	w.read(bytes.NewReader(msg))
	if a.cfg.Auth != nil {
		w.setAuth(a.cfg.Auth.Check(ctx, bytes.NewReader(headerSection(msg))))
	}
	composeVerdict(&m, w.errs)
	return m
}

// headerSection returns the header fields of msg without the blank line
// that ends them, which tells the checker that no body follows.
func headerSection(msg []byte) []byte {
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		return msg[:i+2]
	}
	if i := bytes.Index(msg, []byte("\n\n")); i >= 0 {
		return msg[:i+1]
	}
	return msg
}

// read parses the message from src, fills the headers and walks the
// parts, then reads src to its end (an epilogue, or everything after a
// parse error) so that the size is right and a tee sees every byte.
func (w *walker) read(src io.Reader) {
	ent, br, err := readEntity(src)
	if br != nil {
		defer putReader(br)
	}
	switch {
	case ent == nil:
		w.problem("message header cannot be parsed: %v", err)
	default:
		if err != nil {
			w.problem("%v", err)
		}
		w.parsed = true
		fillHeaders(w.msg, ent.Header)
		if w.text != nil {
			w.subject = mimetext.DecodeHeaderText(ent.Header.Get("Subject"))
		}
		w.walk(ent, 0, "")
	}
	if _, err := io.Copy(io.Discard, src); err != nil {
		w.problem("message cannot be read to the end: %v", err)
	}
}

// keepPairingText records the text the walk kept for PPAP pairing: in
// the message (model.Message.PairingText), searched first when the
// analyzer has pairing's search (Config.HoldsPassword), whose answer it
// records. A text that holds no password is not kept (there is nothing
// else in it for pairing), only the limit it was searched to (Max), by
// which pairing knows whether its search is the one it would make.
// "none" is recorded only for a message read to its end (whole): one cut
// short by a read error or the size limit may read otherwise next time,
// and its answer would be cached; its text is kept unsearched instead.
func (w *walker) keepPairingText(whole bool) {
	t := &model.PairingText{Subject: w.subject, Body: w.text.String(), Max: w.a.cfg.PairingText}
	switch holds := w.a.cfg.HoldsPassword; {
	case holds == nil:
		w.msg.PairingText = t
	case holds(t.Subject, t.Body):
		w.msg.PairingText, w.msg.PasswordsInText = t, model.PasswordsFound
	case !whole:
		w.msg.PairingText = t
	default:
		t.Subject, t.Body = "", ""
		w.msg.PairingText, w.msg.PasswordsInText = t, model.PasswordsNone
	}
}

// setAuth records the checker's answer.
func (w *walker) setAuth(res *model.Auth, err error) {
	if err != nil {
		w.problem("authentication check failed: %v", err)
	}
	if res != nil {
		w.msg.Auth = res
		w.msg.Verdict.Auth, _ = auth.Verdict(res)
	}
}

// teeToAuth starts the checker on a pipe fed by everything read from r and
// returns the reader to use instead of r, and a func that waits for the
// checker's answer once r has been read to the end.
func (a *Analyzer) teeToAuth(ctx context.Context, r *countingReader) (io.Reader, func() (*model.Auth, error)) {
	pr, pw := io.Pipe()
	type answer struct {
		res *model.Auth
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := a.cfg.Auth.Check(ctx, pr)
		// Whatever the checker left unread must still flow, or the tee
		// would block the walk.
		_, _ = io.Copy(io.Discard, pr)
		done <- answer{res, err}
	}()
	tee := &teeReader{r: r, w: pw}
	return tee, func() (*model.Auth, error) {
		pw.CloseWithError(tee.err)
		ans := <-done
		return ans.res, ans.err
	}
}

// teeReader is io.TeeReader that remembers the read error, so that the
// checker learns the message was cut short rather than seeing a clean EOF.
type teeReader struct {
	r   io.Reader
	w   *io.PipeWriter
	err error
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			return n, fmt.Errorf("authentication stream: %w", werr)
		}
	}
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// openRaw prepares raw for one read of a message, as Analyze and
// ReadBack both read it: hashed as it is read (digest: the message's
// SHA256), an mbox envelope line skipped, and bounded by MaxMessageBytes
// (counted, which reads env). The caller gives env back (putReader)
// once nothing reads the stream any more.
func (a *Analyzer) openRaw(raw io.Reader) (digest *digestReader, env *bufio.Reader, counted *countingReader) {
	digest = newDigestReader(raw)
	env = getReader(digest)
	skipEnvelopeLine(env)
	return digest, env, &countingReader{r: env, limit: a.cfg.MaxMessageBytes}
}

// skipEnvelopeLine drops an mbox "From sender date" line in front of the
// header, which saved .eml files and amavis quarantine files often keep;
// it is not part of the message (and would break DKIM and the header parse).
// An absurdly long first line is not an envelope line after all: what was
// consumed of it is lost, and the parse reports it.
func skipEnvelopeLine(br *bufio.Reader) {
	if head, _ := br.Peek(5); string(head) == "From " {
		_, _ = br.ReadSlice('\n')
	}
}

// countingReader counts the bytes read and refuses to read past limit.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		return 0, fmt.Errorf("message larger than the %s limit; the rest was not read", humanBytes(c.limit))
	}
	if rest := c.limit - c.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Version names the analysis logic for caches of its results: bump it
// whenever a change alters what Analyze returns for the same message.
const Version = "2026-12-06.17"
