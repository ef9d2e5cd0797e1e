package dmarcreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits bound the work one report may cause. The zero value of a field
// means its default.
type Limits struct {
	// MaxBytes caps the decompressed XML of one report (default 64 MiB:
	// the largest real reports are a few MiB).
	MaxBytes int64
	// MaxDepth caps element nesting (default 16; a report needs 6).
	MaxDepth int
	// MaxRecords caps the records of one report (default 500,000).
	MaxRecords int
}

// Default limits.
const (
	DefaultMaxBytes   = 64 << 20
	DefaultMaxDepth   = 16
	DefaultMaxRecords = 500_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = DefaultMaxRecords
	}
	return l
}

// ErrNotReport means the input is well-formed but not a DMARC aggregate
// report (another XML document, an empty file).
var ErrNotReport = errors.New("not a DMARC aggregate report")

// ErrTooLarge means a limit was reached: the report is refused rather than
// read in part, so that a bomb costs a bounded amount of work.
var ErrTooLarge = errors.New("report exceeds a limit")

// ParseXML parses one report from its XML. Element names are matched
// without case and without namespace (RFC 7489 reports have none, DMARCbis
// ones urn:ietf:params:xml:ns:dmarc-2.0), unknown elements are skipped,
// enumerated values are lower-cased and whitespace is trimmed. Input that
// is not well-formed is repaired once for the most common reporter mistake
// (a bare "<" in text, such as <email><a@b></email>) before giving up.
func ParseXML(data []byte, lim Limits) (*Report, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, &SizeError{What: "report", Limit: lim.MaxBytes}
	}
	rep, err := parse(data, lim)
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if fixed, changed := escapeStrayLT(data); changed {
			if r2, err2 := parse(fixed, lim); err2 == nil {
				return r2, nil
			}
		}
	}
	return rep, err
}

// parse runs the token loop over data.
func parse(data []byte, lim Limits) (*Report, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrNotReport)
	}
	d := xml.NewDecoder(utf8Reader(data))
	d.CharsetReader = charset.NewReaderLabel
	p := parser{lim: lim, base: -1}
	for !p.done {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed XML: %w", err)
		}
		if err := p.token(tok); err != nil {
			return nil, err
		}
	}
	if !p.sawRoot {
		return nil, fmt.Errorf("%w: no <feedback> element", ErrNotReport)
	}
	if !p.done {
		return nil, fmt.Errorf("malformed XML: the document ends inside <%s>", p.stack[len(p.stack)-1])
	}
	if pp := p.rep.PolicyPublished; pp.NP != "" || pp.Testing != "" || pp.DiscoveryMethod != "" || p.rep.Metadata.Generator != "" {
		// Draft-era reporters wrote RFC 9990's elements without its
		// namespace: read by the fields, not the label.
		p.rep.Schema = SchemaRFC9990
	}
	return &p.rep, nil
}

// utf8Reader replaces invalid UTF-8 with U+FFFD (encoding/xml would stop
// at the first bad byte) when the document is UTF-8; a document declaring
// another encoding is left for the decoder's CharsetReader.
func utf8Reader(data []byte) io.Reader {
	head := data[:min(len(data), 200)]
	if i := bytes.Index(head, []byte("encoding=")); i >= 0 {
		enc := strings.ToLower(string(head[i+len("encoding="):]))
		enc = strings.TrimLeft(enc, `"'`)
		if !strings.HasPrefix(enc, "utf-8") && !strings.HasPrefix(enc, "utf8") {
			return bytes.NewReader(data)
		}
	}
	dec := unicode.BOMOverride(unicode.UTF8.NewDecoder())
	return transform.NewReader(bytes.NewReader(data), dec)
}

// parser holds the state of the token loop.
type parser struct {
	lim     Limits
	rep     Report
	stack   []string // lower-cased local names of the open elements
	paths   []string // paths[i]: the path below <feedback> of stack[:i+1]
	text    []byte   // character data of the innermost element
	sawRoot bool
	// base is the index in stack of <feedback>: 0, or 1 when a reporter
	// wrapped the report in another element (ikea.com sends it inside an
	// unclosed <xs:schema>); -1 until it opens.
	base int
	done bool // </feedback> was read: whatever follows is ignored
}

// maxText caps one element's text; no DMARC value comes near it.
const maxText = 64 << 10

// maxExtensions caps the extension elements a report lists.
const maxExtensions = 20

func (p *parser) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		name := strings.ToLower(t.Name.Local)
		if p.base < 0 {
			switch {
			case name == "feedback":
				p.base, p.sawRoot = len(p.stack), true
				p.rep.Schema = SchemaRFC7489
				if t.Name.Space == NamespaceRFC9990 {
					p.rep.Schema = SchemaRFC9990
				}
			case len(p.stack) > 0:
				return fmt.Errorf("%w: root element is <%s>", ErrNotReport, p.stack[0])
			}
		}
		if len(p.stack) >= p.lim.MaxDepth {
			return fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, p.lim.MaxDepth)
		}
		p.stack = append(p.stack, name)
		p.paths = append(p.paths, p.childPath(name))
		p.text = p.text[:0]
		if p.base < 0 {
			return nil
		}
		if len(p.stack) == p.base+3 && p.paths[p.base+1] == "extension" && len(p.rep.Extensions) < maxExtensions {
			p.rep.Extensions = append(p.rep.Extensions, strings.TrimSpace(t.Name.Space+" "+t.Name.Local))
		}
		return p.start()
	case xml.CharData:
		if len(p.stack) == 0 {
			return nil
		}
		if len(p.text)+len(t) > maxText {
			return fmt.Errorf("%w: text of <%s> longer than %d bytes", ErrTooLarge, p.stack[len(p.stack)-1], maxText)
		}
		p.text = append(p.text, t...)
	case xml.EndElement:
		if len(p.stack) == 0 {
			return errors.New("malformed XML: unbalanced end element")
		}
		var err error
		if p.base >= 0 {
			err = p.end(strings.TrimSpace(string(p.text)))
			p.done = len(p.stack)-1 == p.base
		}
		p.stack = p.stack[:len(p.stack)-1]
		p.paths = p.paths[:len(p.paths)-1]
		p.text = p.text[:0]
		return err
	}
	return nil
}

// path returns the open elements below <feedback>, joined by "/".
func (p *parser) path() string { return p.paths[len(p.paths)-1] }

// childPath is the path of a new element named name, computed once when
// it opens rather than at every use.
func (p *parser) childPath(name string) string {
	depth := len(p.stack) - 1 // index of the new element
	if p.base < 0 || depth <= p.base {
		return ""
	}
	if depth == p.base+1 {
		return name
	}
	return p.paths[depth-1] + "/" + name
}

func (p *parser) record() *Record { return &p.rep.Records[len(p.rep.Records)-1] }

// start creates the repeated elements as they open.
func (p *parser) start() error {
	switch p.path() {
	case "record":
		if len(p.rep.Records) >= p.lim.MaxRecords {
			return fmt.Errorf("%w: more than %d records", ErrTooLarge, p.lim.MaxRecords)
		}
		p.rep.Records = append(p.rep.Records, Record{})
	case "record/auth_results/dkim":
		r := p.record()
		r.AuthResults.DKIM = append(r.AuthResults.DKIM, DKIMAuth{})
	case "record/auth_results/spf":
		r := p.record()
		r.AuthResults.SPF = append(r.AuthResults.SPF, SPFAuth{})
	case "record/row/policy_evaluated/reason":
		r := p.record()
		r.PolicyEvaluated.Reasons = append(r.PolicyEvaluated.Reasons, OverrideReason{})
	}
	return nil
}

// end stores the text of a closing leaf element.
func (p *parser) end(v string) error {
	path := p.path()
	md, pp := &p.rep.Metadata, &p.rep.PolicyPublished
	switch path {
	case "version":
		p.rep.Version = v
	case "report_metadata/org_name":
		md.OrgName = v
	case "report_metadata/email":
		md.Email = v
	case "report_metadata/extra_contact_info":
		md.ExtraContactInfo = v
	case "report_metadata/report_id":
		md.ReportID = v
	case "report_metadata/error":
		md.Errors = append(md.Errors, v)
	case "report_metadata/generator":
		md.Generator = v
	case "report_metadata/date_range/begin", "report_metadata/date_range/end":
		ts, err := parseUnix(v)
		if err != nil {
			return fmt.Errorf("report_metadata/date_range: %w", err)
		}
		if strings.HasSuffix(path, "begin") {
			md.Begin = ts
		} else {
			md.End = ts
		}
	case "policy_published/domain":
		pp.Domain = strings.ToLower(v)
	case "policy_published/adkim":
		pp.ADKIM = strings.ToLower(v)
	case "policy_published/aspf":
		pp.ASPF = strings.ToLower(v)
	case "policy_published/p":
		pp.P = strings.ToLower(v)
	case "policy_published/sp":
		pp.SP = strings.ToLower(v)
	case "policy_published/pct":
		pp.Pct = v
	case "policy_published/fo":
		pp.FO = v
	case "policy_published/np":
		pp.NP = strings.ToLower(v)
	case "policy_published/testing":
		pp.Testing = strings.ToLower(v)
	case "policy_published/discovery_method":
		pp.DiscoveryMethod = strings.ToLower(v)
	}
	if !strings.HasPrefix(path, "record/") || len(p.rep.Records) == 0 {
		return nil
	}
	return p.endRecord(strings.TrimPrefix(path, "record/"), v)
}

// endRecord stores a leaf of the current <record>.
func (p *parser) endRecord(path, v string) error {
	r := p.record()
	lower := strings.ToLower(v)
	switch path {
	case "row/source_ip":
		r.Source.IPAddress = v
	case "row/count":
		if v == "" {
			return nil // dmarc-report-converter's test_empty.xml: no count, 0 messages
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("record %d: count %q is not a non-negative integer", len(p.rep.Records), clip(v))
		}
		r.Count = n
	case "row/policy_evaluated/disposition":
		r.PolicyEvaluated.Disposition = lower
	case "row/policy_evaluated/dkim":
		r.PolicyEvaluated.DKIM = lower
		r.Alignment.DKIM = lower == "pass"
	case "row/policy_evaluated/spf":
		r.PolicyEvaluated.SPF = lower
		r.Alignment.SPF = lower == "pass"
	case "row/policy_evaluated/reason/type":
		last(r.PolicyEvaluated.Reasons).Type = lower
	case "row/policy_evaluated/reason/comment":
		last(r.PolicyEvaluated.Reasons).Comment = v
	case "identifiers/header_from":
		r.Identifiers.HeaderFrom = lower
	case "identifiers/envelope_from":
		r.Identifiers.EnvelopeFrom = lower
	case "identifiers/envelope_to":
		r.Identifiers.EnvelopeTo = lower
	case "auth_results/dkim/domain":
		last(r.AuthResults.DKIM).Domain = lower
	case "auth_results/dkim/selector":
		last(r.AuthResults.DKIM).Selector = v
	case "auth_results/dkim/result":
		last(r.AuthResults.DKIM).Result = lower
	case "auth_results/dkim/human_result":
		last(r.AuthResults.DKIM).HumanResult = v
	case "auth_results/spf/human_result":
		last(r.AuthResults.SPF).HumanResult = v
	case "auth_results/spf/domain":
		last(r.AuthResults.SPF).Domain = lower
	case "auth_results/spf/scope":
		last(r.AuthResults.SPF).Scope = lower
	case "auth_results/spf/result":
		last(r.AuthResults.SPF).Result = lower
	}
	r.Alignment.DMARC = r.Alignment.SPF || r.Alignment.DKIM
	return nil
}

// last returns the last element of s; start() guarantees there is one
// whenever a child of that element closes.
func last[T any](s []T) *T { return &s[len(s)-1] }

// parseUnix reads a date_range bound: seconds since the epoch, tolerating
// a fractional part some reporters write.
func parseUnix(v string) (time.Time, error) {
	if i := strings.IndexByte(v, '.'); i >= 0 {
		v = v[:i]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return time.Time{}, fmt.Errorf("%q is not a Unix time", clip(v))
	}
	return time.Unix(n, 0).UTC(), nil
}

// clip shortens attacker-controlled text quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
