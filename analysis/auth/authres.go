package auth

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// arHeader is one Authentication-Results field, parsed.
type arHeader struct {
	authservID string
	results    []arResult
	err        error // what went wrong parsing, when it did
}

// arResult is one method result ("dkim=pass header.d=…") of a field, with
// every property the field gave (authres keeps only some) and the comment
// that followed the result value, such as DMARC's "(p=reject dis=none)".
type arResult struct {
	method  string
	value   string
	props   map[string]string // lower-case ptype.property → value
	comment string
}

// parseAuthResults parses an Authentication-Results field value. Comments
// are removed first (a ';' inside a comment would split a result, a comment
// between tokens breaks them; RFC 8601 allows both) and kept per result, so
// that DMARC's "(p=reject dis=none)" can be read. go-msgauth's authres.Parse
// then reads the authserv-id and version from the comment-free text. The
// results are tokenised here rather than taken from authres because authres
// keeps only some properties (it drops header.s and header.a, for one) and
// stops at the first result it cannot parse.
func parseAuthResults(value string) arHeader {
	cleaned, comments := stripComments(value)
	id, _, err := authres.Parse(cleaned)
	h := arHeader{authservID: strings.TrimSpace(id), err: err}
	segments := strings.Split(cleaned, ";")
	if err != nil {
		// authres gives up on a version it does not know or on a stray
		// token after the id (old Yahoo fields): take the first token.
		if f := strings.Fields(segments[0]); len(f) > 0 {
			h.authservID = f[0]
		}
	}
	if strings.Contains(h.authservID, "=") {
		// Microsoft 365 and others write no authserv-id and start with
		// "spf=…": what looks like the id is a result.
		h.authservID = ""
		segments = append([]string{""}, segments...)
		shifted := map[int]string{}
		for k, v := range comments {
			shifted[k+1] = v
		}
		comments = shifted
	}
	for i := 1; i < len(segments); i++ {
		r, ok := parseResultSegment(segments[i])
		if !ok {
			continue
		}
		r.comment = comments[i]
		h.results = append(h.results, r)
	}
	return h
}

// parseResultSegment reads "method[/version]=value ptype.prop=value …".
func parseResultSegment(seg string) (arResult, bool) {
	r := arResult{props: map[string]string{}}
	for j, tok := range strings.Fields(seg) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			if j == 0 {
				return r, false // "none", or garbage
			}
			continue
		}
		k = strings.ToLower(k)
		v = restoreQuoted(strings.Trim(v, `"`))
		if j == 0 {
			method, _, _ := strings.Cut(k, "/") // "dkim/1": drop the version
			r.method, r.value = method, strings.ToLower(v)
			continue
		}
		r.props[k] = v
	}
	return r, r.method != ""
}

// Inside quoted strings, stripComments replaces the characters that would
// split a segment or a token by these placeholders; restoreQuoted puts them
// back.
const (
	quotedSemicolon = "\x1e"
	quotedSpace     = "\x1f"
)

func restoreQuoted(s string) string {
	if !strings.ContainsAny(s, quotedSemicolon+quotedSpace) {
		return s
	}
	return quotedRestorer.Replace(s)
}

// quotedRestorer is built once: a Replacer builds its tables on first use,
// which for every property of every Authentication-Results field was 1.4
// KB a message.
var quotedRestorer = strings.NewReplacer(quotedSemicolon, ";", quotedSpace, " ")

// stripComments removes RFC 5322 comments (nested, with quoted-pairs) from
// v, leaving quoted strings alone. It returns the text without comments and,
// for each ';'-separated segment of that text, the comments found in it
// joined by a space.
func stripComments(v string) (string, map[int]string) {
	var out strings.Builder
	comments := map[int]string{}
	segment := 0
	depth := 0
	inQuote := false
	var comment strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case depth > 0:
			switch c {
			case '\\':
				if i+1 < len(v) {
					i++
					comment.WriteByte(v[i])
				}
			case '(':
				depth++
				comment.WriteByte(c)
			case ')':
				depth--
				if depth == 0 {
					text := strings.TrimSpace(comment.String())
					if prev := comments[segment]; prev != "" {
						text = prev + " " + text
					}
					comments[segment] = text
					comment.Reset()
					out.WriteByte(' ')
				} else {
					comment.WriteByte(c)
				}
			default:
				comment.WriteByte(c)
			}
		case inQuote:
			switch {
			case c == '\\' && i+1 < len(v):
				i++
				out.WriteString(quotedChar(v[i]))
			case c == '"':
				inQuote = false
				out.WriteByte(c)
			default:
				out.WriteString(quotedChar(c))
			}
		case c == '"':
			inQuote = true
			out.WriteByte(c)
		case c == '(':
			depth = 1
		case c == ';':
			segment++
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return tightenOperators(out.String()), comments
}

// quotedChar returns c, or its placeholder when it would split a token.
func quotedChar(c byte) string {
	switch c {
	case ';':
		return quotedSemicolon
	case ' ', '\t':
		return quotedSpace
	}
	return string(c)
}

// tightenOperators joins the pieces RFC 8601 lets comments separate
// ("dkim / 1 = fail policy . expired = 1362471462" once the comments are
// gone) so that every method and property is one token again. Only an
// operator standing alone, or starting a token, is joined: a value that
// merely ends in '=' (base64 padding) or '.' (a rooted domain) keeps the
// space after it.
func tightenOperators(s string) string {
	segments := strings.Split(s, ";")
	for i, seg := range segments {
		var b strings.Builder
		glueNext := false
		for j, tok := range strings.Fields(seg) {
			isOp := tok == "=" || tok == "/" || tok == "."
			startsOp := strings.IndexByte("=/.", tok[0]) >= 0
			if j > 0 && !isOp && !startsOp && !glueNext {
				b.WriteByte(' ')
			}
			b.WriteString(tok)
			glueNext = isOp
		}
		segments[i] = " " + b.String()
	}
	return strings.TrimPrefix(strings.Join(segments, ";"), " ")
}
