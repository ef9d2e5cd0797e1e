package demo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"mxaudit/model"
)

// arrival returns the arrival time encoded at the start of a sample name,
// or DefaultBase when the name does not start with a Unix time.
func arrival(name string) time.Time {
	secs, _, _ := strings.Cut(name, ".")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return DefaultBase
	}
	return time.Unix(n, 0)
}

// writeFile writes data to path and sets its modification time to the
// message's arrival, which is what sources report as Entry.Received.
func writeFile(path string, data []byte, mtime time.Time) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return os.Chtimes(path, mtime, mtime)
}

// Format names a store layout the demo can be written in.
type Format string

// The store layouts.
const (
	FormatMaildir Format = "maildir" // cur/, new/, tmp/
	FormatEML     Format = "eml"     // a directory of Name.eml files
	FormatMbox    Format = "mbox"    // one mboxrd file
	FormatGzip    Format = "gzip"    // amavis-style gzip files
)

// StoreWriter writes samples into a store one at a time, so that a large
// bulk set can be streamed to disk.
type StoreWriter struct {
	format Format
	path   string
	n      int
	mbox   *os.File
	buf    *bufio.Writer
}

// NewStoreWriter prepares a store of the given format at path: a
// directory, created if missing, or for mbox the file, truncated.
func NewStoreWriter(format Format, path string) (*StoreWriter, error) {
	w := &StoreWriter{format: format, path: path}
	switch format {
	case FormatMaildir:
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(path, sub), 0o700); err != nil {
				return nil, err
			}
		}
	case FormatEML, FormatGzip:
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, err
		}
	case FormatMbox:
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		w.mbox, w.buf = f, bufio.NewWriter(f)
	default:
		return nil, fmt.Errorf("unknown store format %q (want maildir, eml, mbox or gzip)", format)
	}
	return w, nil
}

// Write stores one sample.
func (w *StoreWriter) Write(s Sample) error {
	i := w.n
	w.n++
	switch w.format {
	case FormatMaildir:
		return writeMaildirFile(w.path, i, s)
	case FormatEML:
		if err := writeFile(filepath.Join(w.path, s.Name+".eml"), s.Raw, arrival(s.Name)); err != nil {
			return fmt.Errorf("eml: %w", err)
		}
		return nil
	case FormatGzip:
		return writeGzipFile(w.path, s)
	}
	writeMboxMessage(w.buf, s)
	return nil
}

// Close finishes the store (flushes and closes the mbox file).
func (w *StoreWriter) Close() error {
	if w.mbox == nil {
		return nil
	}
	if err := w.buf.Flush(); err != nil {
		w.mbox.Close()
		return err
	}
	return w.mbox.Close()
}

// writeAll stores samples with a fresh StoreWriter.
func writeAll(format Format, path string, samples []Sample) error {
	w, err := NewStoreWriter(format, path)
	if err != nil {
		return err
	}
	for _, s := range samples {
		if err := w.Write(s); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// WriteMaildir writes samples as a Maildir under dir (creating cur/, new/
// and tmp/). Every third message is unread in new/; the others are in
// cur/ with an info suffix: ":2,S" (seen), and ":2,FS" (flagged too) for
// every seventh. Existing files of the same name are overwritten.
func WriteMaildir(dir string, samples []Sample) error { return writeAll(FormatMaildir, dir, samples) }

// writeMaildirFile stores the i-th sample of a Maildir.
func writeMaildirFile(dir string, i int, s Sample) error {
	var path string
	switch {
	case i%3 == 2:
		path = filepath.Join(dir, "new", s.Name)
	case i%7 == 0:
		path = filepath.Join(dir, "cur", s.Name+":2,FS")
	default:
		path = filepath.Join(dir, "cur", s.Name+":2,S")
	}
	if err := writeFile(path, s.Raw, arrival(s.Name)); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	return nil
}

// WriteEML writes each sample to dir as Name + ".eml".
func WriteEML(dir string, samples []Sample) error { return writeAll(FormatEML, dir, samples) }

// WriteMbox writes samples to one mbox file in the mboxrd variant: each
// message starts with a "From sender date" line, lines that begin with
// ">*From " get one more ">", and line ends are the Unix LF of mbox files
// (readers turn them back into CRLF).
func WriteMbox(path string, samples []Sample) error { return writeAll(FormatMbox, path, samples) }

// writeMboxMessage appends one message to an mbox; errors surface at
// Flush.
func writeMboxMessage(w *bufio.Writer, s Sample) {
	fmt.Fprintf(w, "From %s %s\n", envelopeSender(s.Raw), arrival(s.Name).UTC().Format(time.ANSIC))
	msg := bytes.ReplaceAll(s.Raw, []byte("\r\n"), []byte("\n"))
	msg = bytes.TrimSuffix(msg, []byte("\n"))
	for line := range bytes.SplitSeq(msg, []byte("\n")) {
		if isFromLine(line) {
			w.WriteByte('>')
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
}

// isFromLine reports whether line needs mboxrd quoting: ">*From ".
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// envelopeSender returns the Return-Path address for the mbox From_ line,
// or MAILER-DAEMON for the null sender.
func envelopeSender(raw []byte) string {
	const key = "Return-Path: <"
	if bytes.HasPrefix(raw, []byte(key)) {
		rest := raw[len(key):]
		if end := bytes.IndexByte(rest, '>'); end > 0 && !bytes.ContainsAny(rest[:end], " \r\n") {
			return string(rest[:end])
		}
	}
	return "MAILER-DAEMON"
}

// WriteGzipDir writes samples to dir the way amavis quarantines them:
// gzip-compressed files named "virus-XXXXXXXXXXXX" for messages with a
// risky, encrypted or unreadable attachment and "spam-XXXXXXXXXXXX.gz"
// for the others, XXXXXXXXXXXX being a 12-character mail id derived from
// the sample name. Both kinds are gzip: a source must go by the magic
// bytes, not the suffix.
func WriteGzipDir(dir string, samples []Sample) error { return writeAll(FormatGzip, dir, samples) }

// gzipWriters recycles compressors: allocating one per file made writing
// 20,000 files eight times slower than generating them.
var gzipWriters = sync.Pool{New: func() any {
	zw, err := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	if err != nil {
		panic("demo: gzip: " + err.Error()) // only for an invalid level
	}
	return zw
}}

// writeGzipFile stores one sample as an amavis quarantine file.
func writeGzipFile(dir string, s Sample) error {
	sum := sha256.Sum256([]byte(s.Name))
	id := base64.RawURLEncoding.EncodeToString(sum[:9])
	name := "spam-" + id + ".gz"
	if v := s.Want.Attachment; v == model.AttachmentRisky || v == model.AttachmentEncrypted || v == model.AttachmentError {
		name = "virus-" + id
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	zw.ModTime = arrival(s.Name)
	if _, err := zw.Write(s.Raw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, name), buf.Bytes(), arrival(s.Name)); err != nil {
		return fmt.Errorf("gzip dir: %w", err)
	}
	return nil
}
