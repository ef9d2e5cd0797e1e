package ppap

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Strength says how sure the extractor is that a string is a password.
type Strength int

// Strengths, strongest first. Strong: on the same line as a password label
// ("パスワード：X", "Password: X", "PW X", "パスワードは「X」"). Medium: alone
// on the line after a label ("パスワードは下記の通りです。\n\nX"). Weak: in a
// mail that speaks of a password, a lone token on a line or after a
// colon ("正：X"), tried only when the stronger ones have failed.
const (
	Strong Strength = iota
	Medium
	Weak
)

// Found is one candidate password read from a text.
type Found struct {
	Password string
	Strength Strength
}

// maxPasswordLen bounds a candidate: longer tokens are URLs or noise.
const maxPasswordLen = 64

// Bounds on the work per text, whatever an attacker writes: labels looked
// at per line, and bytes read after each.
const (
	maxLabelsPerLine = 16
	maxAfterLabel    = 256
)

// labelRE finds a password label and the connector words after it. Labels
// are matched on NFKC-folded text, so full-width "ＰＷ" and half-width
// "ﾊﾟｽﾜｰﾄﾞ" count. ASCII labels must stand alone as words.
var labelRE = regexp.MustCompile(`(?i)(?:(?:解凍|復号|展開|開封)(?:用の?|の)?)?(?:パスワード|パスワ-ド|暗証番号|ZIPパス)` +
	`|(?:^|[^\p{L}\p{N}])(?:zip[ _-]?)?(?:pass(?:word|wd|code|phrase)?|pwd?|p/w|kennwort|mot de passe)(?:[^\p{L}\p{N}]|$)`)

// connectorRE is what may sit between a label and the password: particles,
// "is", colons, "for the file"-style words are not accepted (they would
// make the next word a candidate).
var connectorRE = regexp.MustCompile(`(?i)^(?:[\s:=：＝>\-–—]|は|を|が|です|になります|について|\(|\)|is\b|will be\b|are\b|of the (?:file|zip|attachment)\b|for the (?:file|zip|attachment)\b)*`)

// brackets pairs the opening quotes that wrap a password with their
// closing ones. Full-width forms fold to ASCII under NFKC.
var brackets = map[rune]rune{
	'「': '」', '『': '』', '【': '】', '"': '"', '“': '”', '\'': '\'', '‘': '’',
	'[': ']', '(': ')', '<': '>', '〈': '〉', '《': '》', '〔': '〕', '«': '»',
}

// stopWords are English words that follow "password" in sentences and
// must not be taken for the password itself.
var stopWords = map[string]bool{
	"for": true, "the": true, "is": true, "will": true, "to": true, "of": true, "and": true,
	"in": true, "on": true, "has": true, "was": true, "be": true, "you": true, "please": true,
	"sent": true, "separately": true, "follows": true, "below": true, "protected": true,
	"notification": true, "required": true, "a": true, "an": true, "it": true, "this": true,
	"that": true, "with": true, "as": true, "by": true, "from": true, "here": true, "again": true,
	"same": true, "reset": true, "your": true, "our": true, "my": true, "me": true, "not": true,
	"protect": true, "encrypted": true, "file": true, "zip": true, "attached": true, "attachment": true,
	"later": true, "shortly": true, "email": true, "mail": true, "message": true, "ok": true,
}

// Normalize folds text the way passwords are read: NFKC (full-width
// letters, digits and punctuation to ASCII, half-width katakana to
// full-width) and CRLF to LF.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// ExtractVersion names what Extract finds: bump its date whenever a
// change makes it find candidates in a text where it found none, or none
// where it found some. It also names the Unicode tables Extract reads
// through (NFKC, letter classes), which another Go or x/text may change.
// Analysis caches put it in their fingerprint, since each cached result
// records whether its text holds a candidate (model.Message.PasswordsInText).
const ExtractVersion = "2026-12-06; unicode " + unicode.Version + "; nfkc " + norm.Version

// HoldsPassword reports whether a mail's subject or body text holds a
// password candidate: whether pairing, reading the mail, would find any
// (mailCandidates). It is the search an analysis makes for pairing
// (analysis.Config.HoldsPassword).
func HoldsPassword(subject, body string) bool {
	return len(Extract(subject)) > 0 || len(Extract(body)) > 0
}

// Extract returns the candidate passwords in a subject or body text, most
// likely first, each once. The text may be in any script; it is folded
// with Normalize first.
func Extract(text string) []Found {
	text = Normalize(text)
	var out []Found
	seen := map[string]bool{}
	add := func(pw string, s Strength) {
		for _, v := range variants(pw) {
			if !seen[v] {
				seen[v] = true
				out = append(out, Found{Password: v, Strength: s})
			}
		}
	}
	lines := strings.Split(text, "\n")
	mentions := false
	for i, line := range lines {
		if !mayHaveLabel(line) {
			continue
		}
		locs := labelRE.FindAllStringIndex(line, maxLabelsPerLine)
		if len(locs) > 0 {
			mentions = true
		}
		for _, loc := range locs {
			rest := line[loc[1]:]
			// A label matched with its trailing separator ("PW:") must not
			// lose the separator's meaning; step back over it.
			if loc[1] > loc[0] && !isWordByte(line[loc[1]-1]) {
				rest = line[loc[1]-1:]
			}
			// Only the text right after the label matters; bounding it
			// keeps a line full of labels from costing quadratic time.
			if len(rest) > maxAfterLabel {
				rest = strings.ToValidUTF8(rest[:maxAfterLabel], "")
			}
			if pw, ok := valueAfter(rest); ok {
				add(pw, Strong)
				continue
			}
			if pw, ok := nextLineValue(lines[i+1:]); ok {
				add(pw, Medium)
			}
		}
	}
	if mentions {
		for _, line := range lines {
			for _, pw := range weakValues(line) {
				add(pw, Weak)
			}
		}
	}
	// Strong candidates first, each strength in text order.
	slices.SortStableFunc(out, func(a, b Found) int { return int(a.Strength) - int(b.Strength) })
	return out
}

// mayHaveLabel reports whether labelRE may match in line, a line of text
// folded by Normalize: whether it holds a word every label holds
// ("パス", "暗証番号", or "pass", "pw", "p/w", "kennwort" in any case).
// It is a quick test before the expression, which took nine tenths of
// Extract's time on lines that hold none (BenchmarkExtractBulk). The
// expression's case folding (?i) matches no other letters than these:
// the only others folding to an ASCII letter, the Kelvin sign and the
// long s, NFKC has replaced with K and s.
func mayHaveLabel(line string) bool {
	if strings.Contains(line, "パス") || strings.Contains(line, "暗証番号") {
		return true
	}
	for i := 0; i < len(line); i++ {
		switch line[i] | 0x20 {
		case 'p':
			rest := line[i+1:]
			if hasFoldPrefix(rest, "ass") || hasFoldPrefix(rest, "w") || hasFoldPrefix(rest, "/w") {
				return true
			}
		case 'k':
			if hasFoldPrefix(line[i+1:], "ennwort") {
				return true
			}
		}
	}
	return false
}

// hasFoldPrefix reports whether s begins with word (lower-case ASCII
// letters and '/'), ASCII letters compared without regard to case.
func hasFoldPrefix(s, word string) bool {
	if len(s) < len(word) {
		return false
	}
	for j := 0; j < len(word); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[j] {
			return false
		}
	}
	return true
}

// Mentions reports whether text speaks of a password at all.
func Mentions(text string) bool { return hasLabel(Normalize(text)) }

// hasLabel is labelRE.MatchString(s), with mayHaveLabel's quick test
// first where s is one line, which is what that test is checked against:
// refOf asks it of every subject, on the stream's one goroutine. The
// test assumes a text folded by Normalize; one that still holds a letter
// NFKC would have replaced and (?i) folds to ASCII (the Kelvin sign, the
// long s) goes to the expression alone.
func hasLabel(s string) bool {
	if !strings.Contains(s, "\n") && !strings.Contains(s, "\u212a") && !strings.Contains(s, "\u017f") && !mayHaveLabel(s) {
		return false
	}
	return labelRE.MatchString(s)
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// valueAfter reads the password that follows a label on its line: a
// bracketed string, or the next whitespace-delimited token when it looks
// like a password.
func valueAfter(rest string) (string, bool) {
	rest = connectorRE.ReplaceAllString(rest, "")
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	if rest == "" {
		return "", false
	}
	if pw, ok := bracketed(rest); ok {
		return pw, true
	}
	tok := firstToken(rest)
	if !plausible(tok) {
		return "", false
	}
	return tok, true
}

// bracketed returns the content of a quote or bracket pair at the start of s.
func bracketed(s string) (string, bool) {
	open, size := firstRune(s)
	closing, ok := brackets[open]
	if !ok {
		return "", false
	}
	inner := s[size:]
	end := strings.IndexRune(inner, closing)
	if end <= 0 {
		return "", false
	}
	pw := strings.TrimSpace(inner[:end])
	if pw == "" || len(pw) > maxPasswordLen || strings.ContainsFunc(pw, unicode.IsControl) {
		return "", false
	}
	// A bracketed label ("【パスワード通知】") is not a password.
	if labelRE.MatchString(pw) && !plausible(pw) {
		return "", false
	}
	return pw, true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// firstToken is s up to the first space, without sentence punctuation
// that closes it.
func firstToken(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		s = s[:i]
	}
	return s
}

// nextLineValue takes the password from the first non-empty line among the
// next two when it is a single plausible token (or a bracketed one).
func nextLineValue(lines []string) (string, bool) {
	for i := 0; i < len(lines) && i < 3; i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		if pw, ok := bracketed(l); ok {
			return pw, true
		}
		if !strings.ContainsFunc(l, unicode.IsSpace) && plausible(l) && !isEmail(l) && !strings.Contains(l, "://") {
			return l, true
		}
		return "", false
	}
	return "", false
}

// weakValues returns lone tokens and values after a colon on one line.
func weakValues(line string) []string {
	line = strings.TrimSpace(line)
	var out []string
	if line == "" {
		return nil
	}
	if i := strings.LastIndexAny(line, ":="); i >= 0 {
		if tok := strings.TrimSpace(line[i+1:]); tok != "" && !strings.ContainsFunc(tok, unicode.IsSpace) && looksLikePassword(tok) {
			out = append(out, tok)
		}
	}
	if !strings.ContainsFunc(line, unicode.IsSpace) && looksLikePassword(line) {
		out = append(out, line)
	}
	if pw, ok := bracketed(line); ok && looksLikePassword(pw) {
		out = append(out, pw)
	}
	return out
}

// plausible accepts a token after a label: printable ASCII of sensible
// length that is not an English filler word.
func plausible(tok string) bool {
	tok = trimClosing(tok)
	if len(tok) < 3 || len(tok) > maxPasswordLen {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] <= 0x20 || tok[i] >= 0x7f {
			return false
		}
	}
	return !stopWords[strings.ToLower(tok)]
}

// looksLikePassword is the stricter test for weak candidates: plausible,
// and with a digit or a symbol or mixed case, and not an address or URL.
func looksLikePassword(tok string) bool {
	if !plausible(tok) || len(tok) < 4 {
		return false
	}
	if strings.Contains(tok, "://") || strings.HasPrefix(strings.ToLower(tok), "www.") || isEmail(tok) {
		return false
	}
	var lower, upper, digit, other bool
	for _, c := range tok {
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			other = true
		}
	}
	return digit || other || (lower && upper)
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && strings.IndexFunc(s[at+1:], unicode.IsLetter) >= 0 && !strings.ContainsAny(s[at+1:], "!#$%^&*")
}

// closing is the sentence punctuation a password token may end with in a
// sentence and that is tried without.
const closing = ".,;。、)]}>」』】\"'”’"

func trimClosing(s string) string { return strings.TrimRight(s, closing) }

// variants are the forms of a token to try: as written, then without the
// sentence punctuation that may follow it ("Password: abc123.").
func variants(pw string) []string {
	out := []string{pw}
	if t := trimClosing(pw); t != pw && t != "" {
		out = append(out, t)
	}
	return out
}
