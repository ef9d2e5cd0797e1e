package dmarcreport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 header parameters (file names)

	"mxaudit/analysis/mimetext"
	"mxaudit/model"
)

// maxMIMEDepth bounds multipart nesting in a report mail.
const maxMIMEDepth = 16

// maxParts bounds how many leaf parts of one mail are looked at, and
// maxCandidates how many of them are decompressed: a report mail carries
// one report, and each candidate may cost up to Limits.MaxBytes.
const (
	maxParts      = 64
	maxCandidates = 8
)

// FromMessage extracts and parses the aggregate reports attached to the
// raw mail in r. A mail without any report part returns ErrNotReport; a
// report part that cannot be read is reported in err alongside the
// reports that could.
func FromMessage(r io.Reader, lim Limits) ([]*Report, error) {
	lim = lim.withDefaults()
	// base64 makes the mail a third larger than the report it carries.
	br := bufio.NewReader(newCapReader(r, lim.MaxBytes*2, "mail"))
	skipMboxFromLine(br)
	e, err := message.Read(br)
	if err != nil && e == nil {
		return nil, fmt.Errorf("%w: neither XML, gzip, ZIP nor a mail (%w)", ErrNotReport, err)
	}
	x := extractor{lim: lim}
	subject, _ := e.Header.Text("Subject")
	x.reportish = model.HasReportSubject(subject)
	x.walk(e, 0)
	switch {
	case x.candidates == 0:
		return nil, fmt.Errorf("%w: the mail has no report attachment", ErrNotReport)
	case len(x.reports) == 0 && !x.reportish:
		// A quarantine is full of ZIP and gzip attachments that are not
		// reports (password-protected ones among them): unless the mail
		// says it is a report, a part that cannot be read is not news.
		return nil, fmt.Errorf("%w: no readable report attachment (%w)", ErrNotReport, errors.Join(x.errs...))
	}
	return x.reports, errors.Join(x.errs...)
}

// skipMboxFromLine drops the "From sender date" line an mbox export puts
// before the header, which is not a header field.
func skipMboxFromLine(br *bufio.Reader) {
	if head, err := br.Peek(5); err == nil && string(head) == "From " {
		_, _ = br.ReadString('\n')
	}
}

type extractor struct {
	lim        Limits
	reportish  bool // the subject or a file name says this is a report mail
	reports    []*Report
	errs       []error
	parts      int
	candidates int
}

func (x *extractor) walk(e *message.Entity, depth int) {
	if depth > maxMIMEDepth {
		x.errs = append(x.errs, fmt.Errorf("MIME nesting deeper than %d", maxMIMEDepth))
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil && part == nil {
				x.errs = append(x.errs, fmt.Errorf("malformed multipart: %w", err))
				return
			}
			x.walk(part, depth+1)
		}
	}
	x.leaf(e)
}

func (x *extractor) leaf(e *message.Entity) {
	x.parts++
	if x.parts > maxParts || x.candidates >= maxCandidates {
		return
	}
	ctype, params, _ := e.Header.ContentType()
	ctype = strings.ToLower(ctype)
	name := params["name"]
	if _, dp, err := e.Header.ContentDisposition(); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	ext := strings.ToLower(path.Ext(name))
	if !model.IsReportPartType(ctype) && !model.IsReportPartExt(ext) {
		return
	}
	// Reporters name files receiver!domain!begin!end[!id].xml.gz.
	x.reportish = x.reportish || strings.Count(name, "!") >= 3
	// A report is a file: its bytes as saved, never converted from a
	// charset a text/* type may declare.
	body, err := readCapped(mimetext.TransferDecoded(e.Body), x.lim.MaxBytes, "attachment")
	if err != nil {
		x.candidates++
		x.errs = append(x.errs, fmt.Errorf("part %s: %w", describe(ctype, name), err))
		return
	}
	if Sniff(body) == KindUnknown {
		// An octet-stream that is not a report (a PDF, an image) is not
		// a failed report.
		return
	}
	x.candidates++
	reps, err := Decode(body, x.lim)
	x.reports = append(x.reports, reps...)
	if err != nil {
		x.errs = append(x.errs, fmt.Errorf("part %s: %w", describe(ctype, name), err))
	}
}

func describe(ctype, name string) string {
	if name != "" {
		return fmt.Sprintf("%q (%s)", clip(name), ctype)
	}
	return ctype
}
