package ppap

import (
	"slices"
	"strings"
	"time"

	"mxaudit/model"
)

// A Mark is what a message pairing changed (a ZIP mail or a password
// mail) leaves for a later scan to tell whether a message listed after
// it could pair with it (Marks.MayPair): its sender, lower-cased as a Ref
// holds it, and its date.
type Mark struct {
	Addr, Domain string
	Date         time.Time // the zero time: undated
}

// MarkOf returns m's mark.
func MarkOf(m *model.Message) Mark {
	return Mark{Addr: strings.ToLower(m.FromAddr), Domain: strings.ToLower(m.FromDomain), Date: m.Date}
}

// Marks are the marks of the messages pairing changed in a scan's
// listing, by sender, for MayPair.
type Marks struct {
	window           time.Duration
	byAddr, byDomain map[string]*markDates
}

// markDates are one sender's marks: their dates, sorted, and whether one
// is undated.
type markDates struct {
	dated   []time.Time
	undated bool
}

// NewMarks indexes marks for a pairing window (Config.Window; 0 for its
// default).
func NewMarks(marks []Mark, window time.Duration) *Marks {
	x := &Marks{window: Config{Window: window}.withDefaults().Window,
		byAddr: map[string]*markDates{}, byDomain: map[string]*markDates{}}
	add := func(m map[string]*markDates, key string, date time.Time) {
		if key == "" {
			return
		}
		d := m[key]
		if d == nil {
			d = &markDates{}
			m[key] = d
		}
		if date.IsZero() {
			d.undated = true
		} else {
			d.dated = append(d.dated, date)
		}
	}
	for _, mk := range marks {
		add(x.byAddr, mk.Addr, mk.Date)
		add(x.byDomain, mk.Domain, mk.Date)
	}
	for _, m := range []map[string]*markDates{x.byAddr, x.byDomain} {
		for _, d := range m {
			slices.SortFunc(d.dated, time.Time.Compare)
		}
	}
	return x
}

// MayPair reports whether pairing could involve m, were it listed after
// every message of a listing in which pairing changed only the marked
// messages: whether pairing that listing again with m last could change
// m or any message of it. It errs towards yes; no means that such a
// stream emits every message of the listing as before, and m as it
// came, so that a scan may take the listing's outcome as it was and add
// m (ui/app's replay of a snapshot after new mail).
//
// Pairing changes a message that may hold an encrypted archive
// (ChangedByPairing), and, listed last, m is read by no pairing but as
// a candidate (IsCandidate) of a ZIP mail before it: one of the same
// From address, or of the same From domain, dated at most the window
// before m (inWindow); an undated ZIP mail or an undated m pairs by
// listing distance, which MayPair counts as a yes for any mark of the
// sender. A message listed after a ZIP mail that is no candidate of it
// changes nothing else: the Stream takes a ZIP mail's candidates when
// its window closes, from an index that never drops a candidate of a
// ZIP mail still waiting (Stream.prune), and a pairing's result is a
// function of the ZIP mail and its candidates (resultKey). A message
// without a From address or domain is indexed for nobody
// (senderIndex.add) and never a candidate.
func (x *Marks) MayPair(m *model.Message) bool {
	if ChangedByPairing(m) {
		return true
	}
	var groups []*markDates
	if addr := strings.ToLower(m.FromAddr); addr != "" && x.byAddr[addr] != nil {
		groups = append(groups, x.byAddr[addr])
	}
	if domain := strings.ToLower(m.FromDomain); domain != "" && x.byDomain[domain] != nil {
		groups = append(groups, x.byDomain[domain])
	}
	for _, d := range groups {
		if d.undated || m.Date.IsZero() {
			return true
		}
		// The first mark dated no more than the window before m: m is
		// its candidate unless it is dated after m (the dates are
		// sorted, and m.Date.Sub(t) falls as t grows).
		i, _ := slices.BinarySearchFunc(d.dated, m.Date, func(t, date time.Time) int {
			if date.Sub(t) > x.window {
				return -1
			}
			return 1
		})
		if i < len(d.dated) && m.Date.Sub(d.dated[i]) >= 0 {
			return true
		}
	}
	return false
}
