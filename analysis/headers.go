package analysis

import (
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"

	"mxaudit/analysis/mimetext"
	"mxaudit/model"
)

// fillHeaders copies what the list shows from the top-level header into m.
// Every field is best effort: a header that does not parse leaves its raw,
// decoded text rather than failing the message.
func fillHeaders(m *model.Message, h message.Header) {
	m.MessageID = strings.TrimSpace(h.Get("Message-Id"))
	if ids := msgIDs(h.Get("In-Reply-To")); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = msgIDs(h.Get("References"))
	m.Subject = decodeHeaderIn(h.Get("Subject"), h)
	m.ReturnPath = strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>")

	from := fieldValues(h, "From")
	if len(from) > 0 {
		addrs, raw := mimetext.ParseAddresses(strings.Join(from, ", "))
		m.From = raw
		if len(addrs) == 1 && len(from) == 1 {
			m.From = formatAddress(addrs[0])
			m.FromAddr = normaliseAddr(addrs[0].Address)
			m.FromDomain = domainOf(m.FromAddr)
		} else if len(addrs) > 0 {
			m.From = joinAddresses(addrs)
		}
	}
	m.To = addressStrings(h.Get("To"))
	m.Cc = addressStrings(h.Get("Cc"))

	if d := h.Get("Date"); d != "" {
		if t, err := parseDate(d); err == nil {
			m.Date = t
		} else if t, err := parseLooseDate(d); err == nil {
			m.Date = t
		}
	}
}

// fieldValues returns every raw value of a header field, in order.
func fieldValues(h message.Header, key string) []string {
	var out []string
	fields := h.FieldsByKey(key)
	for fields.Next() {
		out = append(out, fields.Value())
	}
	return out
}

func addressStrings(raw string) []string {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	addrs, text := mimetext.ParseAddresses(raw)
	if addrs == nil {
		return []string{text}
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = formatAddress(a)
	}
	return out
}

// formatAddress renders "Name <addr>" without RFC 2047 re-encoding, so that
// the JSON and the screen show the decoded name.
func formatAddress(a *mail.Address) string {
	addr := normaliseAddr(a.Address)
	if a.Name == "" {
		return addr
	}
	return a.Name + " <" + addr + ">"
}

func joinAddresses(addrs []*mail.Address) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = formatAddress(a)
	}
	return strings.Join(parts, ", ")
}

// normaliseAddr lower-cases the domain of an addr-spec; the local part is
// case-sensitive in theory and kept.
func normaliseAddr(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i+1] + strings.ToLower(addr[i+1:])
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
}

// looseDateLayouts are Date forms seen in the wild that net/mail rejects.
var looseDateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon, 2 Jan 2006 15:04 -0700",
	time.RFC3339,
}

func parseLooseDate(s string) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	var err error
	for _, layout := range looseDateLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// msgIDs extracts the "<...>" message IDs of an In-Reply-To or References
// value, ignoring comments and junk between them; at most 32 are kept, as
// a long References chain only needs its most recent members.
func msgIDs(v string) []string {
	var ids []string
	for len(ids) < 64 {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := v[i : i+j+1]; len(id) > 2 && len(id) < 256 && !strings.ContainsAny(id, " \t\r\n") {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	if len(ids) > 32 {
		ids = ids[len(ids)-32:]
	}
	return ids
}
