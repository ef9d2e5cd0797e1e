package detail

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"mxaudit/ui/termtext"
)

// Hop is one Received header, summarised.
type Hop struct {
	From string // the "from" clause's host, as the receiving server recorded it
	By   string // the receiving server
	When string // the date after the semicolon
}

// String returns the hop on one sanitised line.
func (h Hop) String() string {
	var b strings.Builder
	b.WriteString("from ")
	b.WriteString(orDash(termtext.Sanitize(h.From)))
	b.WriteString(" by ")
	b.WriteString(orDash(termtext.Sanitize(h.By)))
	if h.When != "" {
		b.WriteString(", ")
		b.WriteString(termtext.Sanitize(h.When))
	}
	return b.String()
}

// HeaderBlock returns the header section of a raw message: everything up
// to the first empty line, read from r with at most limit bytes.
func HeaderBlock(r io.Reader, limit int64) ([]byte, error) {
	br := bufio.NewReader(io.LimitReader(r, limit))
	var out []byte
	for {
		line, err := br.ReadSlice('\n')
		if len(bytes.TrimRight(line, "\r\n")) == 0 && len(line) > 0 {
			return out, nil
		}
		out = append(out, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// ParseReceived returns the message's Received headers in the order they
// appear (newest first), summarised. It unfolds the header section itself
// rather than with net/textproto, which gives up on the first header that
// carries a control character: hostile headers must not hide the chain.
func ParseReceived(header []byte) []Hop {
	var hops []Hop
	var cur []byte
	flush := func() {
		name, value, ok := bytes.Cut(cur, []byte(":"))
		if ok && strings.EqualFold(string(bytes.TrimSpace(name)), "Received") {
			hops = append(hops, parseHop(string(value)))
		}
		cur = nil
	}
	for _, line := range bytes.Split(header, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') && cur != nil {
			cur = append(append(cur, ' '), bytes.TrimLeft(line, " \t")...)
			continue
		}
		flush()
		cur = append([]byte(nil), line...)
	}
	flush()
	return hops
}

func parseHop(v string) Hop {
	var hop Hop
	clauses := v
	if i := strings.LastIndexByte(v, ';'); i >= 0 {
		clauses, hop.When = v[:i], strings.TrimSpace(v[i+1:])
	}
	fields := strings.Fields(clauses)
	for i := 0; i+1 < len(fields); i++ {
		switch strings.ToLower(fields[i]) {
		case "from":
			if hop.From == "" {
				hop.From = fields[i+1]
				// Keep the bracketed IP the server recorded, it is the
				// part that cannot be forged by the sender.
				for j := i + 2; j < len(fields) && j < i+5; j++ {
					if f := fields[j]; strings.Contains(f, "[") {
						hop.From += " " + strings.Trim(f, "()")
						break
					}
					if strings.EqualFold(fields[j], "by") {
						break
					}
				}
			}
		case "by":
			if hop.By == "" {
				hop.By = fields[i+1]
			}
		}
	}
	return hop
}
