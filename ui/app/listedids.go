package app

import "mxaudit/model"

// listedIDs are the IDs of a listing, in order, for the list a console
// keeps of it (rowsTarget): those of the rows a row replay handed out,
// each checked against the listed message's as it went out (replayRows),
// then a slice of the rest. As one slice they took 16 MB at a million
// messages, made as a row replay after new mail ended and held until
// its list was written, at the console's peak.
type listedIDs struct {
	blocks [][]model.Row // the rows handed out, per to a block but the last
	per    int
	n      int // of them
	rest   []model.MessageID
}

// idsOf is ids as listedIDs.
func idsOf(ids []model.MessageID) listedIDs { return listedIDs{rest: ids} }

// len is the number of IDs.
func (l listedIDs) len() int { return l.n + len(l.rest) }

// at is the ID at position i.
func (l listedIDs) at(i int) model.MessageID {
	if i < l.n {
		return l.blocks[i/l.per][i%l.per].ID()
	}
	return l.rest[i-l.n]
}

// prefix is the first n IDs (at most len).
func (l listedIDs) prefix(n int) listedIDs {
	if n <= l.n {
		l.n, l.rest = n, nil
		return l
	}
	l.rest = l.rest[: n-l.n : n-l.n]
	return l
}
