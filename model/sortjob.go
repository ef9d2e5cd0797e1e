package model

import (
	"cmp"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// A SortJob sorts a table's messages by one key away from the table, so
// that the console can have the orders its sort keys lead to ready
// before the operator asks (Table.SortJobs): taken from the table in one
// pass over its rows, run on any goroutine, handed back with
// Table.AdoptSort. The table sorts by a key it has no order for with the
// same job, run at once (sortAll), so that both give the same order.
//
// Each message gets a 64-bit key that decides most comparisons: its
// column's prefix (rowPrefix), or for the From, Domain and Subject
// columns the rank of its text among the distinct values (a quarantine
// holds many messages per sender, and a campaign repeats its subject, so
// that 8-byte prefixes tie and would fall back to the strings, a cache
// miss each). Ties go to the full value where the prefix is not all of
// it (dates outside 1677–2262, kept in far), then to arrival, so that
// the sort is stable in either direction.
//
// A job reads no row once taken: the text it keeps is the rows'
// strings, which never change, so Run may overlap with the table's
// edits, whose generation (gen) then makes AdoptSort drop the result.
type SortJob struct {
	table *Table // the table it sorts; AdoptSort drops another's
	key   SortKey
	// gen is the table's generation when taken; n its arrivals then, the
	// messages with an arrival index below n being the ones sorted.
	gen uint64
	n   int32
	es  []sortEntry
	// text is the sorted column's text by arrival index, for the From,
	// Domain and Subject columns; far the full date of the messages whose
	// date prefix is not exact, by arrival index.
	text []string
	far  map[int32]time.Time
	// lean sorts text on its 8-byte prefixes and compares the strings
	// where they tie, rather than ranking the distinct values in a map
	// first: slower (25 against 23 ms at 100,000, BenchmarkSortAhead100k),
	// which a job sorting ahead can afford, and without the map, which
	// holds every distinct value while the job runs.
	lean bool
	// order is the result: arrival indexes in key order.
	order []int32
	// started is set when Run begins, and done closed when it ends, so
	// that the table can wait for a job sorting ahead by the key the
	// operator picks instead of sorting again beside it (awaitJob);
	// taken marks a job whose order the table took so, which AdoptSort
	// then ignores. taken is the table's, like the table.
	started atomic.Bool
	done    chan struct{}
	taken   bool
}

// sortEntry is one message in a sort: its key and its arrival index.
type sortEntry struct {
	key uint64
	i   int32
}

// rankedColumn reports whether c sorts on the ranks of its text.
func rankedColumn(c Column) bool {
	return c == ColumnFrom || c == ColumnDomain || c == ColumnSubject
}

// prepareSort takes what sorting the listed messages by k needs, for a
// lean job (one sorting ahead) or for the sort in Update.
func (t *Table) prepareSort(k SortKey, lean bool) *SortJob {
	j := &SortJob{table: t, key: k, gen: t.gen, n: int32(t.n), es: make([]sortEntry, len(t.order)), lean: lean,
		done: make(chan struct{})}
	ranked := rankedColumn(k.Column)
	if ranked {
		j.text = make([]string, t.n)
	}
	rows := slices.All(t.order)
	if lean {
		rows = t.arrivals()
	}
	for x, i := range rows {
		r := t.line(i)
		j.es[x].i = i
		if ranked {
			j.text[i] = rowSenderText(k.Column, r)
			j.es[x].key = stringPrefix(j.text[i])
			continue
		}
		p := rowPrefix(k.Column, r)
		if !prefixExact(k.Column, p) {
			if j.far == nil {
				j.far = map[int32]time.Time{}
			}
			j.far[i] = r.Date()
		}
		j.es[x].key = p
	}
	return j
}

// arrivals yields the listed messages' arrival indexes in arrival
// order, numbered. A lean job takes its rows in that order, in which they
// are stored, rather than in the list's: taking a job over 100,000 rows
// in Update was 10 ms of cache misses, 3.4–4 ms now (the order does not
// change the result, ties going to arrival). The sort in Update keeps
// the list's order as its input, which a re-sort by the same key after
// rows changed (UpdateRows, Replace) finds nearly sorted. With removed
// messages it falls back to the list's order, which holds only the
// listed ones.
func (t *Table) arrivals() iter.Seq2[int, int32] {
	if t.removed > 0 {
		return slices.All(t.order)
	}
	return func(yield func(int, int32) bool) {
		for i := range int32(t.n) {
			if !yield(int(i), i) {
				return
			}
		}
	}
}

// Run sorts. It may run on any goroutine, once.
func (j *SortJob) Run() {
	j.started.Store(true)
	defer close(j.done)
	if j.text != nil && !j.lean {
		texts := make([]string, len(j.es))
		for x := range j.es {
			texts[x] = j.text[j.es[x].i]
		}
		ranks := rankStrings(texts)
		for x := range j.es {
			j.es[x].key = ranks[texts[x]]
		}
		j.text = nil
	}
	desc := j.key.Desc
	if desc {
		for x := range j.es {
			j.es[x].key = ^j.es[x].key
		}
	}
	slices.SortFunc(j.es, func(a, b sortEntry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		var c int
		if j.text != nil {
			c = strings.Compare(j.text[a.i], j.text[b.i])
		} else if da, ok := j.far[a.i]; ok {
			c = da.Compare(j.far[b.i])
		}
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	j.order = make([]int32, len(j.es))
	for x := range j.es {
		j.order[x] = j.es[x].i
	}
	j.es, j.far, j.text = nil, nil, nil
}

// rankStrings maps every string of ss to its rank among the distinct
// ones, in byte order.
func rankStrings(ss []string) map[string]uint64 {
	ranks := make(map[string]uint64, len(ss)/4)
	for _, s := range ss {
		ranks[s] = 0
	}
	distinct := make([]string, 0, len(ranks))
	for s := range ranks {
		distinct = append(distinct, s)
	}
	slices.Sort(distinct)
	for r, s := range distinct {
		ranks[s] = uint64(r)
	}
	return ranks
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
