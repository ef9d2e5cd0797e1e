package ppap

import (
	"math/rand/v2"
	"strings"
	"testing"

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
		"re", "[", "【", "x re: y", "Password for 見積.zip", "PW", "\u212aennwort"}
	texts = append(texts, hostileTexts...)
	err := demo.Bulk(300, 11, func(s demo.Sample) error {
		texts = append(texts, strings.Split(string(s.Raw), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	alphabet := []rune("rReEfFwWdDaAsSvV:：[]［］【】 \t\n回答返信転送ſK\u212apPoOkK/ｐＲ0パスワード")
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		r := make([]rune, 1+rng.IntN(10))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	for _, text := range texts {
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
