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

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"Received": "received", "DKIM-Signature": "dkim-signature", "FROM": "from",
		"X-Custom": "x-custom", "From2": "from2", "Fro": "fro", "": "",
		"Subjeçt": "subjeçt", "ſubject": "ſubject", // a long s is not an s here
	} {
		if got := fieldName([]byte(in)); got != want {
			t.Errorf("fieldName(%q) = %q, want %q", in, got, want)
		}
	}
}
