package model

import (
	"iter"
	"math"
	"slices"
	"strings"
	"sync/atomic"
)

// A SortJob sorts a table's messages by one key away from the table, so
// that the console can have the orders its sort keys lead to ready
// before the operator asks (Table.SortJobIn): taken from the table in one
// pass over its rows, run on any goroutine, handed back with
// Table.AdoptSort. The table sorts by a key it has no order for with the
// same job, run at once (sortAll), so that both give the same order.
//
// Each message gets a 64-bit key that decides most comparisons, its
// column's prefix (rowPrefix), and the messages are sorted by it in a
// few linear passes (radixSort), taken in arrival order so that equal
// keys stay in arrival order. Ties between equal keys then go to the
// full value where the prefix is not all of it (the From, Domain and
// Subject text, kept in text; dates outside 1677–2262, kept in far),
// then to arrival, so that the sort is stable in either direction. Only
// runs of equal keys that stand for such values are looked at again
// (settleTies); any other run is in arrival order already.
//
// A job holds 12 bytes a message: the arrival index it sorts (a listed
// message's), which becomes the order, and the key (an arrived
// message's), which the sort reads where it lies rather than moving it
// with the index. A text column adds the text, 16 bytes; a message
// dated outside 1677–2262 (which a sender chooses) its date, 16; and
// Run a scratch of 4. At a million messages a job for a text column
// held 52 MB where it now holds 32 (an entry of key and index, 16 bytes
// with its padding, its copy in the sort, the texts and a separate
// order), and the console sorts ahead three keys in turn right after a
// scan, when its memory limit is set from the live heap (ui/app,
// settlingLimitFor): what a job holds then raises the limit and the
// peak by as much again.
//
// A job reads no row once taken: the text it keeps is the rows'
// strings, which never change, so Run may overlap with the table's
// edits, whose generation (gen) then makes AdoptSort drop the result.
// (The rows themselves may: an edit writes a row the table owns in its
// slot, Table.UpdateRows.)
type SortJob struct {
	table *Table // the table it sorts; AdoptSort drops another's
	key   SortKey
	// gen is the table's generation when taken; n its arrivals then, the
	// messages with an arrival index below n being the ones sorted.
	gen uint64
	n   int32
	// idx holds the arrival indexes of the listed messages, which Run
	// sorts into order; keys the key of each by arrival index.
	idx  []int32
	keys []uint64
	// text is the sorted column's text by arrival index, for the From,
	// Domain and Subject columns; far the full date of the messages whose
	// date prefix is not exact, in arrival order.
	text []string
	far  []farDate
	// scratch is room the text comparisons reuse (settleCompared).
	scratch []int32
	// order is the result: arrival indexes in key order; ties tells
	// which of its neighbours hold equal values (sortties.go), nil when
	// not known.
	order []int32
	ties  []uint64
	// started is set by whoever begins the job, Run or the table, and
	// done closed when it ends, so that the table can wait for a job
	// sorting ahead by the key the operator picks, or run it itself if
	// it has not begun, instead of sorting again beside it (awaitJob);
	// taken marks a job whose order the table took so, which AdoptSort
	// then ignores. taken is the table's, like the table.
	started atomic.Bool
	done    chan struct{}
	taken   bool
}

// textColumn reports whether c sorts on a text (rowSenderText), whose
// 8-byte prefix is its key and whose ties are settled by the text.
func textColumn(c Column) bool {
	return c == ColumnFrom || c == ColumnDomain || c == ColumnSubject
}

// prepareSort takes what sorting the listed messages by k needs, for a
// job sorting ahead or for the sort in Update, into room where it fits
// (nil: room of its own).
func (t *Table) prepareSort(k SortKey, room *SortRoom) *SortJob {
	byText := textColumn(k.Column)
	j := &SortJob{table: t, key: k, gen: t.gen, n: int32(t.n), done: make(chan struct{})}
	j.idx, j.keys, j.text = room.take(t.SortRoomFor(k))
	far := 0
	for x, i := range t.arrivals() {
		r := t.line(i)
		j.idx[x] = i
		if byText {
			j.text[i] = rowSenderText(k.Column, r)
			j.keys[i] = stringPrefix(j.text[i])
			continue
		}
		p := rowPrefix(k.Column, r)
		if !prefixExact(k.Column, p) {
			far++
		}
		j.keys[i] = p
	}
	if far > 0 {
		// Made to size, in a second pass over the few it concerns:
		// grown by append in Update, it cost about 90 bytes a message
		// in a quarantine whose mail a sender dated 1600.
		j.far = make([]farDate, 0, far)
		for _, i := range j.idx {
			if p := j.keys[i]; !prefixExact(k.Column, p) {
				r := t.line(i)
				j.far = append(j.far, farDate{sec: r.dateSec, nsec: r.dateNsec, i: i})
			}
		}
	}
	return j
}

// arrivals yields the listed messages' arrival indexes in arrival
// order, numbered. A job takes its rows in that order, in which they are
// stored, rather than in the list's: taking a job over 100,000 rows in
// Update was 10 ms of cache misses, 3.4–4 ms so. The sort relies on it:
// being stable, it leaves messages with equal keys in arrival order,
// their final one. With removed messages, the listed ones are the
// list's order, sorted.
func (t *Table) arrivals() iter.Seq2[int, int32] {
	if t.removed > 0 {
		listed := slices.Clone(t.order)
		slices.Sort(listed)
		return slices.All(listed)
	}
	return func(yield func(int, int32) bool) {
		for i := range int32(t.n) {
			if !yield(int(i), i) {
				return
			}
		}
	}
}

// Run sorts. It may run on any goroutine, once; should the table have
// begun it first (awaitJob runs a job handed out but not begun itself),
// Run waits for the table's sort to end instead, so that the job is
// sorted whenever Run returns.
func (j *SortJob) Run() {
	if j.started.CompareAndSwap(false, true) {
		j.run()
		return
	}
	<-j.done
}

// run is Run, once j.started is set by the caller.
func (j *SortJob) run() {
	defer close(j.done)
	for _, i := range j.idx {
		j.keys[i] = j.directed(j.keys[i])
	}
	radixSort(j.idx, j.keys)
	far := j.far // every far date: settleTies reorders them in place, and takes from the front
	if j.text != nil {
		// Texts' ties are found as their runs are settled (settleText),
		// which reads them already: not read again whole.
		j.ties = make([]uint64, bitWords(len(j.idx)))
	}
	if j.text != nil || far != nil {
		eachTie(j.idx, j.keys, j.settleTies)
	}
	j.order = j.idx
	if j.text == nil {
		j.ties = j.tiesOf(j.order, far)
	}
	j.idx, j.keys, j.far, j.text, j.scratch = nil, nil, nil, nil, nil
}

// settleTies puts a run of messages whose keys are equal, in arrival
// order as the sort leaves them, in their final order: by the full
// value where the key is only its prefix, in the key's direction, then
// by arrival. A run of exact keys is final already. Only a date's least
// and greatest keys stand for dates they cannot hold (far), in either
// direction; those are sorted by second, then nanosecond, in two more
// radix sorts, which keep arrival order among equal dates.
func (j *SortJob) settleTies(at int, run []int32) {
	switch key := j.keys[run[0]]; {
	case j.text != nil:
		j.settleText(at, run, 8)
	case j.far != nil && (key == 0 || key == math.MaxUint64):
		dates := j.takeFar(key)
		for _, part := range []func(farDate) uint64{
			func(d farDate) uint64 { return uint64(d.nsec) },
			func(d farDate) uint64 { return uint64(d.sec) ^ 1<<63 }, // signed order
		} {
			for _, d := range dates {
				j.keys[d.i] = j.directed(part(d))
			}
			radixSort(run, j.keys)
		}
	}
}

// takeFar returns the far dates of the messages keyed key (a run of
// them), and leaves far with the others. The run's are moved to the
// front of far in one pass: a binary search of far for each message,
// twice, took a job's Run 33 ms instead of 2.7 for 200,000 mails a
// sender dated 1600 (a review's measure). Every message keyed 0 or
// all-ones has its date in far, and those keys are two runs at most, so
// far is read about twice in all.
func (j *SortJob) takeFar(key uint64) []farDate {
	n := 0
	for x, d := range j.far {
		if j.keys[d.i] == key {
			j.far[x], j.far[n] = j.far[n], d
			n++
		}
	}
	dates := j.far[:n]
	j.far = j.far[n:]
	return dates
}

// farDate is the full date of a message the job keeps in far: the row's
// Unix seconds and nanoseconds, as compareDate compares them, and its
// arrival index. far holds them in arrival order, as the job takes its
// rows (takeFar then moves them), where a map from arrival index to
// time.Time had cost about 100 bytes a message to make: Date headers are
// the sender's, and a quarantine of mail dated 1600 made a job eight
// times its size, and taking it in Update 16 times as slow (a review's
// measure, 200,000 messages).
type farDate struct {
	sec  int64
	nsec int32
	i    int32
}

// textRadixDepth is how far into the texts a run is sorted by radix,
// one pass per 8 bytes, and by how much their shared beginning is
// skipped (sharedPast) where the first two texts of a larger run agree
// on the next 8 bytes. Past it, a larger run gets one more skip and one
// more pass, and what still ties after that, or a small run
// (smallTextRun), is sorted by comparisons that start past what two
// texts are known to share (settleCompared). Texts that agree on a long
// beginning are a sender's doing: a long subject sent many times over
// with a number at its end was compared in full, the shared part read
// again in each of n log n comparisons (260 ms in Update for 100,000
// subjects sharing 1,000 bytes), where one skip and one pass sort it.
// More passes past the depth are not made: subjects that part a few at
// a time (P+"x"*k+"y" for each k) would cost a pass over the run, and a
// skip, for every 8 bytes (0.8 s at 100,000 messages, a review found).
const textRadixDepth = 64

// smallTextRun is the largest run of texts that agree past
// textRadixDepth which is compared at once.
const smallTextRun = 16

// settleText puts in order a run of messages, in arrival order, whose
// texts agree on their first depth bytes (the shorter ones padded with
// zero bytes, as stringPrefix pads): by the next 8 bytes in one more
// radix sort, and so on down each run that still ties. A run whose texts
// are all the same is final. Texts that agree even padded differ in
// length, the shorter first, as strings.Compare has it.
//
// It notes the ties it finds (markTies) where run starts at position at
// of the order: a run of one text, texts of one length among those equal
// but for the padding, and texts the comparisons find equal. Texts that
// part in a radix pass are no ties.
func (j *SortJob) settleText(at int, run []int32, depth int) {
	first, same, longest := j.text[run[0]], true, 0
	for _, i := range run {
		s := j.text[i]
		same = same && s == first
		longest = max(longest, len(s))
	}
	if same {
		j.markTies(at, len(run))
		return
	}
	if longest <= depth { // equal but for the padding
		for _, i := range run {
			j.keys[i] = j.directed(uint64(len(j.text[i])))
		}
		radixSort(run, j.keys)
		eachTie(run, j.keys, func(lo int, tied []int32) { j.markTies(at+lo, len(tied)) })
		return
	}
	if depth > textRadixDepth+8 || depth > textRadixDepth && len(run) <= smallTextRun {
		// What every text shares past depth is read once here, not in
		// each comparison (behind decoys, no skip was made before).
		j.settleCompared(at, run, depth+j.sharedPast(run, depth))
		return
	}
	if second := j.text[run[1]]; len(run) > smallTextRun && len(first) >= depth+8 && len(second) >= depth+8 &&
		first[depth:depth+8] == second[depth:depth+8] {
		// The first two texts agree on the next 8 bytes too: the run
		// may share more, which one pass skips (each radix pass reads
		// every text, whose bytes are seldom in the processor's cache).
		depth += j.sharedPast(run, depth)
	}
	for _, i := range run {
		s := j.text[i]
		j.keys[i] = j.directed(stringPrefix(s[min(depth, len(s)):]))
	}
	radixSort(run, j.keys)
	eachTie(run, j.keys, func(lo int, tied []int32) { j.settleText(at+lo, tied, depth+8) })
}

// sharedPast returns how many bytes past their first depth every text of
// run has, the same in each: what the run's sort may skip. It is 0 when a
// text ends at depth or before, since the padding sorts a text that ends
// before a zero byte that another has. What the first and last texts
// share bounds it, and so what is read of each other text: taken from
// the first text alone, it read most of every text of a run whose texts
// part one byte further each (P+"x"*k+"y"), where the run shares little.
func (j *SortJob) sharedPast(run []int32, depth int) int {
	first, last := j.text[run[0]], j.text[run[len(run)-1]]
	if len(first) <= depth || len(last) <= depth {
		return 0
	}
	shared := first[depth:][:commonPrefixLen(first[depth:], last[depth:])]
	for _, i := range run[1:] {
		if shared == "" {
			return 0
		}
		s := j.text[i]
		if len(s) <= depth {
			return 0
		}
		if s = s[depth:]; !strings.HasPrefix(s, shared) {
			shared = shared[:commonPrefixLen(shared, s)]
		}
	}
	return len(shared)
}

// commonPrefixLen returns how many bytes a and b share at their start:
// 64 bytes at a time while they agree (one call of the runtime's vector
// comparison each), then 8, then one. The text sorts read most bytes
// here, in texts a sender made to agree for hundreds of bytes.
func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+64 <= n && a[i:i+64] == b[i:i+64]; i += 64 {
	}
	for ; i+8 <= n && a[i:i+8] == b[i:i+8]; i += 8 {
	}
	for ; i < n && a[i] == b[i]; i++ {
	}
	return i
}

// eachTie calls fn with every run of two or more arrival indexes of
// idx, sorted by their keys, whose keys are equal, and where it starts
// in idx.
func eachTie(idx []int32, keys []uint64, fn func(at int, run []int32)) {
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && keys[idx[hi]] == keys[idx[lo]] {
			hi++
		}
		if hi-lo > 1 {
			fn(lo, idx[lo:hi])
		}
		lo = hi
	}
}

// directed is a key in the job's direction: inverted for a descending
// sort, so that an ascending sort of the keys sorts it.
func (j *SortJob) directed(key uint64) uint64 {
	if j.key.Desc {
		return ^key
	}
	return key
}

// markTies notes that the n messages from position at of the order are
// tied (SortJob.ties).
func (j *SortJob) markTies(at, n int) {
	for x := at + 1; x < at+n; x++ {
		setBit(j.ties, int32(x), true)
	}
}

// rowSenderText is the text the From, Domain or Subject column sorts on.
func rowSenderText(col Column, r *Row) string {
	switch col {
	case ColumnFrom:
		return r.fromKey()
	case ColumnSubject:
		return r.subjectKey()
	}
	return r.Domain()
}
