package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxaudit/model"
	"mxaudit/ui/termtext"
)

// recordWriter prints one scan record per message.
type recordWriter interface {
	Write(m model.Message) error
	Close() error
}

// jsonWriter prints JSON Lines: one object per message, documented in the
// README. Strings are kept faithful (not sanitised): JSON escapes control
// characters, so a terminal showing it is safe.
type jsonWriter struct {
	bw  *bufio.Writer
	out jsonSafe
	enc *json.Encoder
}

func newJSONWriter(w io.Writer) *jsonWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	out := jsonSafe{bw}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return &jsonWriter{bw: bw, out: out, enc: enc}
}

func (j *jsonWriter) Write(m model.Message) error {
	if m.IsEncoded() && m.Exception == nil {
		return j.writeEncoded(m.Encoded.JSON)
	}
	return j.writeDecoded(m)
}

// writeDecoded is Write for a message to encode: apart, so that the copy
// of the message the encoder is given goes to the heap only here, not
// for every message Write is given.
func (j *jsonWriter) writeDecoded(m model.Message) error {
	if m.IsEncoded() {
		x := m.Exception // set on the head: Materialize replaces it
		if err := m.Materialize(); err != nil {
			return err
		}
		m.Exception = x
	}
	if m.Attachments == nil {
		m.Attachments = []model.Attachment{} // the schema promises an array
	}
	for i := range m.Attachments {
		if m.Attachments[i].Risks == nil {
			m.Attachments[i].Risks = []model.Risk{}
		}
	}
	if m.Verdict.Reasons == nil {
		m.Verdict.Reasons = []string{}
	}
	return j.enc.Encode(&m)
}

func (j *jsonWriter) Close() error { return j.bw.Flush() }

// csvHeader names the CSV columns; multi-valued fields are joined with "; ".
var csvHeader = []string{
	"id", "message_id", "date", "from", "from_domain", "to", "subject", "size",
	"attachment_verdict", "encryption", "files", "risks",
	"auth_verdict", "spf", "dkim", "dmarc", "dmarc_policy", "disposition",
	"reasons", "error",
}

type csvWriter struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func newCSVWriter(w io.Writer) (*csvWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	c := &csvWriter{bw: bw, cw: csv.NewWriter(bw)}
	return c, c.cw.Write(csvHeader)
}

func (c *csvWriter) Write(m model.Message) error {
	s := summarise(&m)
	date := ""
	if !m.Date.IsZero() {
		date = m.Date.Format(time.RFC3339)
	}
	// Cells are sanitised: spreadsheets and terminals alike would
	// otherwise act on control characters from the mail. A leading
	// formula character is neutralised against CSV injection.
	row := []string{
		string(m.ID), m.MessageID, date, m.From, m.FromDomain, strings.Join(m.To, "; "),
		m.Subject, strconv.FormatInt(m.Size, 10),
		string(m.Verdict.Attachment), s.encryption, strings.Join(m.FileNames(), "; "), strings.Join(s.risks, "; "),
		string(m.Verdict.Auth), s.spf, s.dkim, s.dmarc, s.policy, s.disposition,
		strings.Join(m.Verdict.Reasons, "; "), m.Error,
	}
	for i := range row {
		row[i] = csvSafe(termtext.Sanitize(row[i]))
	}
	return c.cw.Write(row)
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// csvSafe prefixes cells that a spreadsheet would run as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// tableWriter prints an aligned, sanitised table for people.
type tableWriter struct {
	bw    *bufio.Writer
	width int
}

// newTableWriter prints to a terminal of width columns; width 0 (a pipe or
// a file) leaves the last column whole.
func newTableWriter(w io.Writer, width int) *tableWriter {
	if width > 0 && width < 60 {
		width = 60
	}
	t := &tableWriter{bw: bufio.NewWriterSize(w, 16<<10), width: width}
	t.row("ID", "VERDICT", "AUTH", "DATE", "FROM DOMAIN", "SUBJECT / FILES")
	return t
}

// Fixed column widths; the subject takes what is left.
const (
	colID      = 26 // a longer ID is printed whole: "release SOURCE ID" needs it
	colVerdict = 10
	colAuth    = 5
	colDate    = 16
	colDomain  = 22
)

func (t *tableWriter) row(id, verdict, auth, date, domain, rest string) {
	if pad := colID - termtext.Width(id); pad > 0 {
		id += strings.Repeat(" ", pad)
	}
	if t.width > 0 {
		rest = termtext.Truncate(rest, max(10, t.width-termtext.Width(id)-colVerdict-colAuth-colDate-colDomain-5))
	}
	fmt.Fprintf(t.bw, "%s %s %s %s %s %s\n", id,
		termtext.Fit(verdict, colVerdict), termtext.Fit(auth, colAuth),
		termtext.Fit(date, colDate), termtext.Fit(domain, colDomain), rest)
}

func (t *tableWriter) Write(m model.Message) error {
	date := ""
	if !m.Date.IsZero() {
		date = m.Date.Local().Format("2006-01-02 15:04") // local time, as the console shows it
	}
	rest := termtext.Sanitize(m.Subject)
	if names := m.FileNames(); len(names) > 0 {
		rest += " [" + termtext.Sanitize(strings.Join(names, ", ")) + "]"
	}
	if m.Error != "" {
		rest = "ERROR " + termtext.Sanitize(m.Error) + " " + rest
	}
	auth := string(m.Verdict.Auth)
	if auth == "" {
		auth = "-"
	}
	t.row(termtext.Sanitize(string(m.ID)), string(m.Verdict.Attachment), auth, date, termtext.Sanitize(m.FromDomain), rest)
	return nil
}

func (t *tableWriter) Close() error { return t.bw.Flush() }

// summary holds the one-cell forms of a message's verdicts.
type summary struct {
	encryption, spf, dkim, dmarc, policy, disposition string
	risks                                             []string
}

func summarise(m *model.Message) summary {
	var s summary
	var enc model.Encryption
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if a.Archive != nil {
			enc = enc.Stronger(a.Archive.Encryption)
		}
		for _, r := range a.Risks {
			s.risks = appendUnique(s.risks, string(r))
		}
	}
	s.encryption = string(enc)
	if a := m.Auth; a != nil {
		s.spf = string(a.SPF.Result)
		var sigs []string
		for _, d := range a.DKIM {
			sigs = append(sigs, fmt.Sprintf("%s (d=%s)", d.Result, d.Domain))
		}
		s.dkim = strings.Join(sigs, "; ")
		s.dmarc = string(a.DMARC.Result)
		s.policy = string(a.DMARC.Policy)
		s.disposition = string(a.DMARC.Disposition)
	}
	return s
}

func appendUnique(list []string, v string) []string {
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}
