package termtext

import "fmt"

// Count says n noun in English: "1 report", "0 reports", "19 mails".
// It replaces "report(s)" in what people read.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// BidiTag is the visible tag of the first bidirectional formatting
// character in s ("<RLO>"), or "". Lists put it in front of a cell that
// would otherwise cut it off: an override hidden at 80 columns still
// reverses what the operator reads.
func BidiTag(s string) string {
	for _, r := range s {
		if name, ok := bidiNames[r]; ok {
			return name
		}
	}
	return ""
}
