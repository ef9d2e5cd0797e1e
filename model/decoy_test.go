package model

import (
	"math/rand/v2"
	"testing"
)

// TestSortJobDecoySubjects checks the order of a job over subjects that
// share 1,000 bytes behind decoys keeping the radix passes from skipping
// what they share (BenchmarkSetSortDecoySubjects100k): compared past the
// radix passes.
func TestSortJobDecoySubjects(t *testing.T) {
	msgs := decoySubjectMessages(3000)
	text := make([]string, len(msgs))
	for i := range msgs {
		text[i] = msgs[i].Subject
	}
	sortJobTextTies(t, rand.New(rand.NewPCG(3, 3)), text, len(text))
}
