package ppap

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"mxaudit/mailsrc/demo"
)

// TestQuickTestsKeepTheExpressions: the quick tests before the subject's
// expressions (hasLabel, mayHaveSubjectTag) change no answer: refOf's
// subject and its password flag are what the expressions alone give, on
// the lines of generated and curated mail, hostile texts and random
// strings over the expressions' own letters and their case-folded kin.
func TestQuickTestsKeepTheExpressions(t *testing.T) {
	texts := []string{"Re: 見積", " RE:FW: x", "Fwd[2]: x", "AW: SV: x", "回答: x", "返信：x", "転送 : x",
		"【重要】【パスワード通知】 x", "[External] x", "\u017fv: x", "ſv: x", "\t\n re : x", "Ｒｅ： x", "［Ext］ x",
		"re", "[", "【", "x re: y", "Password for 見積.zip", "PW", "\u212aennwort",
		"\fRe: x", "\rRe: x", "\vRe: x", "\u3000Re: x", "\u00a0Re: x", "\u2028Re: x", "\u200bRe: x", "暗証番号 1", "kennwort: x"}
	texts = append(texts, hostileTexts...)
	texts = append(texts, bulkTexts(t, 11, true)...)
	texts = append(texts, randomTexts("rReEfFwWdDaAsSvVnNtT:：[]［］【】 \t\n\f\r\v\u3000\u00a0\u2028\u200b回答返信転送暗証番号ſK\u212apPoOkK/ｐＲ0パスワード", 10, 3, 4)...)
	for _, text := range texts {
		// Without Normalize first, as a later caller might.
		if got, want := mayHaveSubjectTag(strings.ToLower(text)) || !subjectTags.MatchString(strings.ToLower(text)), true; got != want {
			t.Fatalf("mayHaveSubjectTag(%q) = false, but the expression matches", strings.ToLower(text))
		}
		if got, want := hasLabel(text), labelRE.MatchString(text); got != want && !strings.Contains(text, "\n") {
			t.Fatalf("hasLabel(%q) = %v, the expression gives %v", text, got, want)
		}
		s := Normalize(text)
		lower := strings.ToLower(s)
		want := strings.Join(strings.Fields(subjectTags.ReplaceAllString(lower, "")), " ")
		if got := foldNormalized(s); got != want {
			t.Fatalf("foldNormalized(%q) = %q, the expression gives %q", s, got, want)
		}
		if got, want := hasLabel(s), labelRE.MatchString(s); got != want {
			t.Fatalf("hasLabel(%q) = %v, the expression gives %v", s, got, want)
		}
	}
}

// TestSubjectTagSpaceIsTheExpressions: mayHaveSubjectTag trims exactly
// what the expression's \s is, for every rune.
func TestSubjectTagSpaceIsTheExpressions(t *testing.T) {
	space := regexp.MustCompile(`^\s`)
	for r := rune(0); r <= utf8.MaxRune; r++ {
		s := string(r)
		if got, want := strings.TrimLeft(s, "\t\n\f\r ") == "", space.MatchString(s); got != want {
			t.Fatalf("%U: trimmed %v, \\s matches %v", r, got, want)
		}
	}
}

// bulkTexts are the raw texts of 300 generated mails (seed), whole or a
// line each.
func bulkTexts(t *testing.T, seed uint64, lines bool) []string {
	t.Helper()
	var texts []string
	err := demo.Bulk(300, seed, func(s demo.Sample) error {
		if lines {
			texts = append(texts, strings.Split(string(s.Raw), "\n")...)
		} else {
			texts = append(texts, string(s.Raw))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

// randomTexts are 200,000 strings of 1 to maxLen runes of alphabet,
// drawn with the PCG seeded with seed1, seed2.
func randomTexts(alphabet string, maxLen int, seed1, seed2 uint64) []string {
	runes := []rune(alphabet)
	rng := rand.New(rand.NewPCG(seed1, seed2))
	texts := make([]string, 0, 200000)
	for range 200000 {
		r := make([]rune, 1+rng.IntN(maxLen))
		for i := range r {
			r[i] = runes[rng.IntN(len(runes))]
		}
		texts = append(texts, string(r))
	}
	return texts
}
