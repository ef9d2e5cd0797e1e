package auth

import "testing"

func TestSentence(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"   ":              "",
		"spf passed":       "Spf passed.",
		"Done.":            "Done.",
		"done.":            "Done.",
		"Already capital":  "Already capital.",
		" dmarc failed.  ": "Dmarc failed.",
		"é is not ASCII":   "é is not ASCII.",
		"1 result":         "1 result.",
		"x":                "X.",
	} {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q) = %q, want %q", in, got, want)
		}
	}
}
