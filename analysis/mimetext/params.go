package mimetext

import (
	"io"
	"mime"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/emersion/go-message/charset"
)

// MediaType returns the lower-cased media type of a Content-Type or
// Content-Disposition value, tolerating the broken parameters that make
// mime.ParseMediaType give up.
func MediaType(v string) string {
	if t, _, err := mime.ParseMediaType(v); err == nil {
		return t
	}
	t, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// Param returns the decoded value of one parameter (such as filename
// or name) of a structured header value. Unlike mime.ParseMediaType it
// decodes RFC 2231 values in any charset (ISO-2022-JP, Shift_JIS), joins
// RFC 2231 continuations, decodes RFC 2047 words inside quoted values (not
// allowed, but what most mailers send) and raw 8-bit Japanese, and keeps
// going past malformed neighbours.
func Param(v, name string) string {
	var (
		plain    string
		hasPlain bool
		sections = map[int]paramSection{}
	)
	for _, p := range splitParams(v) {
		key, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = unquote(strings.TrimSpace(val))
		switch {
		case key == name:
			plain, hasPlain = val, true
		case strings.HasPrefix(key, name+"*"):
			// "name*" is one extended value; "name*0", "name*0*", "name*1"
			// are numbered sections, extended when they end in "*".
			rest := key[len(name)+1:]
			extended := rest == "" || strings.HasSuffix(rest, "*")
			rest = strings.TrimSuffix(rest, "*")
			n := 0
			if rest != "" {
				var err error
				if n, err = strconv.Atoi(rest); err != nil || n < 0 || n > 999 {
					continue
				}
			}
			sections[n] = paramSection{value: val, extended: extended}
		}
	}
	if len(sections) > 0 {
		if s, ok := joinRFC2231(sections); ok {
			return s
		}
	}
	if hasPlain {
		return DecodeHeaderText(plain)
	}
	return ""
}

type paramSection struct {
	value    string
	extended bool
}

// joinRFC2231 assembles RFC 2231 sections in order; the first extended
// section names the charset ("charset'lang'percent-encoded").
func joinRFC2231(sections map[int]paramSection) (string, bool) {
	keys := make([]int, 0, len(sections))
	for k := range sections {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var (
		cs  string
		raw strings.Builder
	)
	for i, k := range keys {
		s := sections[k]
		val := s.value
		if s.extended {
			if i == 0 {
				parts := strings.SplitN(val, "'", 3)
				if len(parts) == 3 {
					cs, val = parts[0], parts[2]
				}
			}
			if dec, err := url.PathUnescape(val); err == nil {
				val = dec
			}
		}
		raw.WriteString(val)
	}
	out := raw.String()
	switch strings.ToLower(cs) {
	case "", "utf-8", "us-ascii", "utf8":
		return DecodeHeaderText(out), true
	}
	r, err := charset.Reader(cs, strings.NewReader(out))
	if err != nil {
		return DecodeHeaderText(out), true
	}
	dec, err := io.ReadAll(r)
	if err != nil {
		return DecodeHeaderText(out), true
	}
	return strings.ToValidUTF8(string(dec), "\uFFFD"), true
}

// HasParam reports whether a structured header value carries a non-empty
// parameter name (plain, or in RFC 2231 form "name*", "name*0*"), without
// decoding it.
func HasParam(v, name string) bool {
	for _, p := range splitParams(v) {
		key, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if (key == name || strings.HasPrefix(key, name+"*")) && val != "" {
			return true
		}
	}
	return false
}

// splitParams splits "type; a=1; b=\"x;y\"" into its parameters, honouring
// quoted strings and backslash escapes. The media type itself is dropped.
func splitParams(v string) []string {
	var (
		out     []string
		cur     strings.Builder
		inQuote bool
		escaped bool
	)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\' && inQuote:
			escaped = true
		case c == '"':
			inQuote = !inQuote
		case c == ';' && !inQuote:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	out = append(out, cur.String())
	return out[1:]
}

// unquote removes the quotes and escapes of a quoted-string; an unquoted
// token comes back as it is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' {
		return s
	}
	s = strings.TrimSuffix(s[1:], "\"")
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
