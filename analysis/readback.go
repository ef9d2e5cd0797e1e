package analysis

import (
	"bytes"
	"fmt"
	"io"

	"mxaudit/analysis/mimetext"
	"mxaudit/model"
)

// ReadBack is what PPAP pairing reads again of a message it analysed
// before: its text, and the bytes of the encrypted archives it tries
// passwords on.
type ReadBack struct {
	// Subject and Text are what pairing searches for passwords: the
	// subject decoded as mimetext.DecodeHeaderText decodes it, and the
	// body text as mimetext.BodyText collects it. Both are empty unless
	// text was asked for.
	Subject, Text string
	// Attachments holds the decoded bytes of the attachments asked for,
	// by their index in model.Message.Attachments.
	Attachments map[int][]byte
	// SHA256 is the hex digest of the bytes read, as Analyze computes
	// model.Message.SHA256: a caller compares the two to know that it
	// read the message that was analysed.
	SHA256 string
}

// ReadBack reads raw, a message Analyze analysed, again: with text, its
// subject and at most textMax bytes of body text (textMax 0 reads no
// text); and the decoded bytes of every attachment i for which want(i)
// is true, at most attMax bytes each (a larger one is left out).
//
// It walks the message with Analyze's own walk, so that the attachments
// are numbered as Analyze numbers them: a reader of its own drifts from
// it (an inline picture is a file only when it holds an archive; a
// top-level message/rfc822 body is walked; an empty filename parameter
// names no file), and an attachment taken for another is decrypted and
// inspected in its place. It runs no authentication check and inspects
// only the inline pictures (which it must, to number them).
func (a *Analyzer) ReadBack(raw io.Reader, want func(i int) bool, textMax, attMax int64) (*ReadBack, error) {
	var m model.Message
	back := &readBack{want: want, max: attMax, atts: map[int][]byte{}}
	w := walker{a: a, msg: &m, back: back}
	if textMax > 0 {
		w.text = mimetext.NewBodyText(textMax)
	}
	digest, env, counted := a.openRaw(raw)
	defer putReader(env)
	w.read(counted)
	if !w.parsed {
		return nil, fmt.Errorf("message cannot be parsed: %s", w.errs[0])
	}
	rb := &ReadBack{Subject: w.subject, Attachments: back.atts, SHA256: digest.sum()}
	if w.text != nil {
		rb.Text = w.text.String()
	}
	return rb, nil
}

// readBack keeps the attachments a read-back wants.
type readBack struct {
	want func(i int) bool
	max  int64
	atts map[int][]byte
}

// read keeps attachment i's decoded bytes, body, when they are wanted
// and no larger than the bound. What is not read here the multipart
// reader skips.
func (r *readBack) read(body io.Reader, i int) {
	if !r.want(i) {
		return
	}
	b, err := io.ReadAll(io.LimitReader(body, r.max+1))
	if int64(len(b)) > r.max {
		return // too large to decrypt; the analysis said so already
	}
	if err == nil || len(b) > 0 {
		r.atts[i] = b
	}
}

// capture returns body teed into a buffer when it would be attachment i
// and is wanted: an inline picture, which is attachment i only if it
// turns out to hold an archive. On a nil readBack it returns body.
func (r *readBack) capture(body io.Reader, i int) (io.Reader, *boundedBuffer) {
	if r == nil || !r.want(i) {
		return body, nil
	}
	buf := &boundedBuffer{max: r.max}
	return io.TeeReader(body, buf), buf
}

// keep keeps what capture buffered as attachment i, once read to the end
// through teed.
func (r *readBack) keep(i int, buf *boundedBuffer, teed io.Reader) {
	if r == nil || buf == nil {
		return
	}
	_, err := io.Copy(io.Discard, teed)
	if buf.over || (err != nil && buf.Len() == 0) {
		return
	}
	r.atts[i] = buf.Bytes()
}

// boundedBuffer holds the first max bytes written to it and notes
// whether more came.
type boundedBuffer struct {
	bytes.Buffer
	max  int64
	over bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := b.max - int64(b.Len()); int64(len(p)) > room {
		b.over = true
		p = p[:max(room, 0)]
	}
	b.Buffer.Write(p)
	return n, nil
}
