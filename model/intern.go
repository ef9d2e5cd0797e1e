package model

import (
	"strings"
	"unsafe"
)

// interner makes the strings that repeat across a quarantine's messages
// share one copy: domains, the SPF client address, recipients and the
// verdict columns come from a few senders and a few phrasings, yet each
// message is analysed on its own and carries its own copies (when the
// table kept whole messages, their repeated strings were 850 of the
// 2,740 bytes a kept message cost on the demo generator's quarantine).
// Rows share their verdict columns through it; their strings are in one
// text of their own (Row).
//
// Interning replaces a string with an equal one, so every reader sees the
// same values as before (row_test.go checks reflect.DeepEqual).
// High-cardinality fields (IDs, subjects, From, file names, hashes) are
// left alone: a map entry for a string seen once costs more than the
// copy it would save. The map holds at most maxInterned strings, and none
// longer than maxInternLen, so that a quarantine whose "repeated" fields
// are all distinct costs a bounded amount; past the bound, strings
// already interned are still shared and new ones are kept as they came.
//
// Unlike unique.Make(s).Value(), whose canonical copy is forgotten once
// no handle remains (sharing then stops after a GC), the map keeps its
// strings as long as the table lives, which is as long as its rows.
type interner struct {
	m map[string]string
	// rowVerdicts shares the verdict columns of rows (Row).
	rowVerdicts map[RowVerdicts]*RowVerdicts
	// rowLists shares the lists rows search (rowlists.go).
	rowLists map[rowLists]*rowLists
	// texts holds the texts of the rows built with the interner.
	texts textArena
}

// arenaFor returns the arena for the texts of n rows built together
// with in: a scan's batch, whose rows arrive, stay and leave together
// more or less. Rows built a few at a time (the watch's arrivals over
// hours, a re-analysis) get texts of their own, nil here: sharing
// chunks, rows that arrived days apart would keep each other's texts
// alive long after most of them had left.
func (in *interner) arenaFor(n int) *textArena {
	if in == nil || n < arenaBatch {
		return nil
	}
	return &in.texts
}

// arenaBatch is the fewest rows built together that share the arena.
const arenaBatch = 64

const (
	maxInterned  = 1 << 16
	maxInternLen = 1 << 10
)

// str returns the canonical copy of s; a nil interner returns s.
func (in *interner) str(s string) string {
	c, _ := in.intern(s)
	return c
}

// intern is str, also reporting whether the string returned is the
// canonical copy (false: s itself, past the bounds); "" is always
// shared, having no bytes to keep.
func (in *interner) intern(s string) (string, bool) {
	if s == "" {
		return s, true
	}
	if in == nil || len(s) > maxInternLen {
		return s, false
	}
	if c, ok := in.m[s]; ok {
		return c, true
	}
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) >= maxInterned {
		return s, false
	}
	// A copy: s may be a slice of a larger buffer (a header, a
	// record), which the map must not keep alive.
	c := strings.Clone(s)
	in.m[c] = c
	return c, true
}

// sameString reports whether a and b are the same bytes in memory, not
// merely equal.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// verdicts returns the shared copy of v; a nil interner returns a new
// one. The map is bounded as the strings are.
func (in *interner) verdicts(v RowVerdicts) *RowVerdicts {
	if in != nil {
		if c, ok := in.rowVerdicts[v]; ok {
			return c
		}
	}
	c := &RowVerdicts{
		SPF: Result(in.str(string(v.SPF))), DKIM: Result(in.str(string(v.DKIM))), DMARC: Result(in.str(string(v.DMARC))),
		Policy: Disposition(in.str(string(v.Policy))), Disposition: Disposition(in.str(string(v.Disposition))), Attachment: AttachmentVerdict(in.str(string(v.Attachment))),
		Auth: AuthVerdict(in.str(string(v.Auth))), Encryption: Encryption(in.str(string(v.Encryption))),
	}
	if in == nil || len(in.rowVerdicts) >= maxInterned {
		return c
	}
	if in.rowVerdicts == nil {
		in.rowVerdicts = make(map[RowVerdicts]*RowVerdicts)
	}
	in.rowVerdicts[*c] = c
	return c
}
