package ppap

import (
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"mxaudit/model"
)

// Marks are what a scan's pairing leaves for a later scan to tell
// whether a message listed after all of its messages could pair with
// one of them (MayPair): the From domains and dates of the messages
// pairing changed (ZIP mails, password mails). A ZIP mail's candidates
// share its From domain (senderIndex keys every list by it), and are
// dated at most the window after it, so that is all it takes: by domain,
// the spans of dates the window after each mark covers, merged, and
// whether one mark was undated. A busy quarantine's marks are a few
// spans per sending domain, whatever the number of ZIP mails.
type Marks struct {
	window  time.Duration
	domains map[string]*domainMarks
}

// domainMarks are one From domain's marks: the dates added, until
// merged into spans (seal), and whether one was undated.
type domainMarks struct {
	dates   []time.Time
	spans   []markSpan // sorted, each more than the window after the last
	undated bool
}

// markSpan is a run of marks' dates from first to last, each at most
// the window after the one before: a message dated from first to the
// window after last is the candidate of one of them.
type markSpan struct{ first, last time.Time }

// NewMarks returns empty marks for a pairing window (Config.Window; 0
// for its default).
func NewMarks(window time.Duration) *Marks {
	return &Marks{window: Config{Window: window}.withDefaults().Window, domains: map[string]*domainMarks{}}
}

// Clone returns a copy of x that marks may be added to while x answers
// MayPair elsewhere. x must have nothing added since its last MayPair or
// MarshalBinary (unpacked marks have nothing).
func (x *Marks) Clone() *Marks {
	out := &Marks{window: x.window, domains: make(map[string]*domainMarks, len(x.domains))}
	for name, d := range x.domains {
		out.domains[name] = &domainMarks{dates: slices.Clone(d.dates), spans: slices.Clone(d.spans), undated: d.undated}
	}
	return out
}

// Window is the pairing window the marks are for.
func (x *Marks) Window() time.Duration { return x.window }

// Add marks m, a message pairing changed.
func (x *Marks) Add(m *model.Message) {
	domain := strings.ToLower(m.FromDomain) // as a Ref holds it (refOf)
	if domain == "" {
		return // indexed for nobody (senderIndex.add), and given no candidate
	}
	d := x.domains[domain]
	if d == nil {
		d = &domainMarks{}
		x.domains[domain] = d
	}
	if m.Date.IsZero() {
		d.undated = true
	} else {
		d.dates = append(d.dates, m.Date)
	}
}

// seal merges the dates added into spans.
func (x *Marks) seal() {
	for _, d := range x.domains {
		if len(d.dates) == 0 {
			continue
		}
		dates := d.dates
		for _, s := range d.spans {
			dates = append(dates, s.first, s.last)
		}
		slices.SortFunc(dates, time.Time.Compare)
		d.spans, d.dates = d.spans[:0], nil
		for _, t := range dates {
			if n := len(d.spans); n > 0 && t.Sub(d.spans[n-1].last) <= x.window {
				d.spans[n-1].last = t
				continue
			}
			d.spans = append(d.spans, markSpan{t, t})
		}
	}
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
// a candidate (IsCandidate) of a ZIP mail before it: one of its From
// domain dated at most the window before m (inWindow); an undated ZIP
// mail or an undated m pairs by listing distance, which MayPair counts
// as a yes for any mark of the domain. A message listed after a ZIP
// mail that is no candidate of it changes nothing else: the Stream
// takes a ZIP mail's candidates when its window closes, from an index
// that drops no candidate of a ZIP mail still waiting (Stream.prune),
// and a pairing's result is a function of the ZIP mail and its
// candidates (resultKey).
//
// MayPair merges the dates added since the last call (seal): it must not
// be called concurrently with Add, nor with itself after an Add. Marks
// unpacked (UnmarshalBinary) have nothing to merge, and answer any
// number of goroutines.
func (x *Marks) MayPair(m *model.Message) bool {
	if ChangedByPairing(m) {
		return true
	}
	d := x.domains[strings.ToLower(m.FromDomain)]
	switch {
	case m.FromDomain == "" || d == nil:
		return false
	case d.undated || m.Date.IsZero():
		return true
	}
	if len(d.dates) > 0 {
		x.seal()
	}
	// The first span that reaches m's date (the spans are sorted, and
	// their ends with them): m is a candidate unless it starts after it.
	i, _ := slices.BinarySearchFunc(d.spans, m.Date, func(s markSpan, date time.Time) int {
		if date.Sub(s.last) > x.window {
			return -1
		}
		return 1
	})
	return i < len(d.spans) && m.Date.Sub(d.spans[i].first) >= 0
}

// marksVersion changes with MarshalBinary's layout.
const marksVersion = 1

// MarshalBinary packs the marks: the layout's version, the window and
// the count of domains, then each domain (in order) with its undated
// flag and spans.
func (x *Marks) MarshalBinary() ([]byte, error) {
	x.seal()
	b := binary.AppendUvarint(nil, marksVersion)
	b = binary.AppendVarint(b, int64(x.window))
	b = binary.AppendUvarint(b, uint64(len(x.domains)))
	for _, name := range slices.Sorted(maps.Keys(x.domains)) {
		d := x.domains[name]
		b = appendBool(appendString(b, name), d.undated)
		b = binary.AppendUvarint(b, uint64(len(d.spans)))
		for _, s := range d.spans {
			b = appendTime(appendTime(b, s.first), s.last)
		}
	}
	return b, nil
}

// errMarks is packed marks that do not unpack.
var errMarks = errors.New("ppap: the marks do not unpack")

// UnmarshalBinary unpacks what MarshalBinary packed, replacing x.
func (x *Marks) UnmarshalBinary(b []byte) error {
	r := unpacker{b: b, ok: true}
	if r.uvarint() != marksVersion {
		return errMarks
	}
	window := time.Duration(r.varint())
	count := r.uvarint()
	domains := map[string]*domainMarks{}
	for r.ok && uint64(len(domains)) < count {
		name := r.bytes()
		d := &domainMarks{undated: r.byte() == 1}
		n := r.uvarint()
		if n > uint64(len(r.b)) { // a span takes at least 4 bytes
			return errMarks
		}
		for range n {
			s := markSpan{r.time(), r.time()}
			if k := len(d.spans); s.last.Before(s.first) || k > 0 && s.first.Sub(d.spans[k-1].last) <= window {
				return errMarks // not sorted and merged
			}
			d.spans = append(d.spans, s)
		}
		if _, twice := domains[string(name)]; twice || len(name) == 0 {
			return errMarks
		}
		domains[string(name)] = d
	}
	if !r.ok || len(r.b) > 0 || uint64(len(domains)) != count || window <= 0 {
		return errMarks
	}
	x.window, x.domains = window, domains
	return nil
}

// appendTime packs t: its Unix seconds and nanoseconds.
func appendTime(b []byte, t time.Time) []byte {
	return binary.AppendUvarint(binary.AppendVarint(b, t.Unix()), uint64(t.Nanosecond()))
}

// appendString packs s: its length, then its bytes.
func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendBool packs v as a byte, 1 for true.
func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// unpacker reads what MarshalBinary packed; ok turns false at the first
// field that does not unpack, and every read after gives zero.
type unpacker struct {
	b  []byte
	ok bool
}

// advance moves past the n bytes of a field just read, or, n not
// positive (the field did not read), fails the unpacker.
func (r *unpacker) advance(n int) bool {
	if n <= 0 {
		r.b, r.ok = nil, false
		return false
	}
	r.b = r.b[n:]
	return true
}

func (r *unpacker) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if !r.advance(n) {
		return 0
	}
	return v
}

func (r *unpacker) varint() int64 {
	v, n := binary.Varint(r.b)
	if !r.advance(n) {
		return 0
	}
	return v
}

func (r *unpacker) byte() byte {
	if len(r.b) == 0 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *unpacker) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.b, r.ok = nil, false
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *unpacker) time() time.Time {
	sec, nsec := r.varint(), r.uvarint()
	if nsec >= uint64(time.Second) || sec == math.MinInt64 {
		r.b, r.ok = nil, false
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
