package auth

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// receivedPrechecks pairs each expression parseReceived runs on a
// comment with the test it runs first (a byte the expression needs): an
// expression that matched a comment its test refuses would be an answer
// lost.
var receivedPrechecks = []struct {
	re   *regexp.Regexp
	test func(string) bool
}{
	{literalIPComment, func(c string) bool { return strings.HasPrefix(strings.TrimSpace(c), "[") }},
	{rdnsIPComment, func(c string) bool { return strings.Contains(strings.TrimSpace(c), "[") }},
	{heloParam, func(c string) bool { return strings.Contains(c, "=") }},
	{rdnsBeforeIP, func(c string) bool { return strings.Contains(c, "[") }},
}

// TestReceivedPrechecksNeverRefuseAMatch checks the tests in front of the
// expressions on comments MTAs write, and on random ones made of the
// bytes the expressions care about; FuzzReceivedPrechecks explores more.
func TestReceivedPrechecksNeverRefuseAMatch(t *testing.T) {
	comments := []string{
		"mail.example.net [192.0.2.1]", "[192.0.2.1]:4711 helo=x", " [IPv6:2001:db8::1] ",
		"\v[192.0.2.1]", "\u00a0[192.0.2.1]", "rdns\t[192.0.2.1] (may be forged)", "HELO=x", "unknown [10.0.0.1]",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "[]()= \t\r\n\v\fhelo=HELOipv6:IPv6:0123456789abcdef.unknown\u00a0\u0085"
	runes := []rune(alphabet)
	for range 200_000 {
		b := make([]rune, r.IntN(24))
		for i := range b {
			b[i] = runes[r.IntN(len(runes))]
		}
		comments = append(comments, string(b))
	}
	matched := 0
	for _, c := range comments {
		for i, p := range receivedPrechecks {
			if p.re.MatchString(strings.TrimSpace(c)) || p.re.MatchString(c) {
				matched++
				if !p.test(c) {
					t.Fatalf("expression %d matches %q, which its test refuses", i, c)
				}
			}
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d matches: the random comments test nothing", matched)
	}
}

func FuzzReceivedPrechecks(f *testing.F) {
	f.Add("mail.example.net [192.0.2.1]")
	f.Add("[IPv6:2001:db8::1]:25 helo=x")
	f.Fuzz(func(t *testing.T, c string) {
		for i, p := range receivedPrechecks {
			if (p.re.MatchString(strings.TrimSpace(c)) || p.re.MatchString(c)) && !p.test(c) {
				t.Fatalf("expression %d matches %q, which its test refuses", i, c)
			}
		}
	})
}
