package mailsrc

import (
	"context"

	"mxaudit/model"
)

// A console started within a few seconds of a delivery cannot trust the
// folders' times (folderSettle), so its watch lists the source right as
// the scan ends, to compare with the IDs the scan listed. Holding those
// IDs to compare with (a set of 32 bytes a message, sorted, beside the
// caller's copy of them, 28 MB at a million) took about 90 MB at the
// moment the console's memory peaks: 530–588 MiB at a million messages
// against 453–468 once the folders had settled. The scan instead hands
// the watch a fingerprint of what it listed, made as it emitted each
// message (20 ns a message); a listing whose fingerprint is the same
// holds exactly those messages, and the watch takes the IDs in only
// once a listing differs: 453–464 MiB.

// IDSetSum is an order-independent fingerprint of a set of message IDs:
// their count, and the sum, lane by lane and modulo 2^64, of their
// keyed 128-bit hashes (idSum). Two sets of the same fingerprint are the
// same set but by a chance of about 2^-128: the hashes are keyed for the
// process, so no one naming messages can aim at a collision, and a sum
// is only meaningful to the process that made it. An ID added twice
// counts twice, so a set listed with a name read twice differs from the
// set itself. The zero value is the empty set's.
type IDSetSum struct {
	n   int
	sum idSum
}

// Add adds id to the fingerprint.
func (s *IDSetSum) Add(id model.MessageID) { s.addSum(sumOfID(string(id))) }

func (s *IDSetSum) addSum(h idSum) { s.Merge(IDSetSum{n: 1, sum: h}) }

// Merge adds the IDs of o, made apart (on another goroutine), to s.
func (s *IDSetSum) Merge(o IDSetSum) {
	s.n += o.n
	s.sum[0] += o.sum[0]
	s.sum[1] += o.sum[1]
}

// Len is the number of IDs added.
func (s IDSetSum) Len() int { return s.n }

// sumListing returns the fingerprint of one listing of src, holding
// none of its names.
func sumListing(ctx context.Context, src idLister) (IDSetSum, error) {
	var s IDSetSum
	err := src.listIDBytes(ctx, func(name []byte) error {
		s.addSum(sumOfID(name))
		return nil
	})
	return s, err
}
