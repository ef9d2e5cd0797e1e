package model

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// allSortKeys is every column in both directions.
func allSortKeys() []SortKey {
	var keys []SortKey
	for c := range NumColumns {
		keys = append(keys, SortKey{Column: c}, SortKey{Column: c, Desc: true})
	}
	return keys
}

// sortJobs returns jobs to sort tab by those of keys it has no order
// for, nor a job out for (SortJobIn, each in arrays of its own).
func sortJobs(tab *Table, keys ...SortKey) []*SortJob {
	var jobs []*SortJob
	for _, k := range keys {
		if j := tab.SortJobIn(nil, k); j != nil {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// runJobs runs the jobs on goroutines of their own, as the console does,
// and hands them back.
func runJobs(tab *Table, jobs []*SortJob) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(j.Run)
	}
	wg.Wait()
	for _, j := range jobs {
		tab.AdoptSort(j)
	}
}

// checkSorted fails unless the table's order and view are its rows
// sorted by the full comparison, and the view holds every listed row.
func checkSorted(t *testing.T, tab *Table, why string) {
	t.Helper()
	want := slices.Clone(tab.order)
	slices.SortFunc(want, tab.compare)
	if !slices.Equal(tab.order, want) {
		t.Errorf("%s: sorted by %v, the order differs from the full comparison", why, tab.Sort())
	}
	if len(tab.order) != tab.Total() || !slices.Equal(tab.view, tab.order) {
		t.Errorf("%s: %d in order and %d shown for %d listed", why, len(tab.order), len(tab.view), tab.Total())
	}
}

// TestKeptOrdersMatchFullComparison sorts by every key from orders the
// jobs found away from the table, with messages arriving in between,
// and checks each against the full comparison.
func TestKeptOrdersMatchFullComparison(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 18))
	msgs := randomMessages(r, 1200)
	tab := NewTable()
	tab.Append(msgs[:800]...)
	keys := allSortKeys()
	next := 800
	for len(keys) > 0 {
		batch := keys[:min(3, len(keys))]
		keys = keys[len(batch):]
		runJobs(tab, sortJobs(tab, batch...))
		// Arrivals after the jobs were taken are merged in.
		tab.Append(msgs[next : next+20]...)
		next += 20
		for _, k := range batch {
			if k == tab.Sort() {
				continue
			}
			if !tab.hasOrder(k) {
				t.Fatalf("no order kept for %v", k)
			}
			tab.SetSort(k)
			checkSorted(t, tab, "kept order")
		}
	}
}

// TestOrderLeftIsKept checks that going back to the key before takes the
// order it left, with the messages that arrived since.
func TestOrderLeftIsKept(t *testing.T) {
	tab := NewTable()
	msgs := randomMessages(rand.New(rand.NewPCG(7, 7)), 500)
	tab.Append(msgs[:450]...)
	from := SortKey{Column: ColumnFrom, Desc: true}
	tab.SetSort(from)
	tab.SetSort(SortKey{Column: ColumnSubject})
	if !tab.hasOrder(from) {
		t.Fatal("the order left was not kept")
	}
	tab.Append(msgs[450:]...)
	tab.SetSort(from)
	checkSorted(t, tab, "order left")
}

// TestOrdersOfChangedRowsAreDropped checks that an order sorted before
// rows changed in place is never used: neither one kept nor one a job
// brings back afterwards, nor one gone stale with arrivals.
func TestOrdersOfChangedRowsAreDropped(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(9, 1)), 400)
	subject := SortKey{Column: ColumnSubject}
	for _, tt := range []struct {
		name   string
		change func(*Table)
	}{
		{"replaced", func(tab *Table) {
			m := msgs[17]
			m.Subject = "zzz moved to the end"
			tab.Replace(&m)
		}},
		{"updated", func(tab *Table) {
			tab.UpdateRows(func(r *Row) (Row, bool) {
				if r.ID() != msgs[3].ID {
					return Row{}, false
				}
				m := msgs[3]
				m.Subject = "aaa moved to the start"
				return NewRow(&m), true
			})
		}},
		{"removed", func(tab *Table) { tab.Remove(map[MessageID]bool{msgs[5].ID: true}) }},
		{"many arrivals", func(tab *Table) { tab.Append(randomMessages(rand.New(rand.NewPCG(2, 2)), 100)...) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tab := NewTable()
			tab.Append(msgs...)
			tab.SetSort(SortKey{Column: ColumnFrom})
			jobs := sortJobs(tab, subject, SortKey{Column: ColumnSize})
			runJobs(tab, jobs[1:])
			tt.change(tab)
			runJobs(tab, jobs[:1])
			if tab.hasOrder(subject) || tab.hasOrder(SortKey{Column: ColumnSize}) {
				t.Fatal("an order of the rows before the change is kept")
			}
			tab.SetSort(subject)
			checkSorted(t, tab, tt.name)
		})
	}
}

// TestSortJobsAreNotRepeated checks that a key with an order kept or a
// job out gets no second job, and the current key none.
func TestSortJobsAreNotRepeated(t *testing.T) {
	tab := NewTable()
	tab.Append(randomMessages(rand.New(rand.NewPCG(3, 4)), 100)...)
	size := SortKey{Column: ColumnSize}
	if got := sortJobs(tab, tab.Sort(), size, size); len(got) != 1 {
		t.Fatalf("%d jobs for the current key and one other twice, want 1", len(got))
	}
	if got := sortJobs(tab, size); len(got) != 0 {
		t.Fatalf("a second job for a key with one out")
	}
}

// TestAdoptSortIgnoresAnotherTablesJob checks that a job is adopted only
// by the table that handed it out, whose arrival indexes it sorts.
func TestAdoptSortIgnoresAnotherTablesJob(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(4, 4)), 200)
	a, b := NewTable(), NewTable()
	a.Append(msgs...)
	b.Append(msgs[:190]...)
	size := SortKey{Column: ColumnSize}
	jobs := sortJobs(a, size)
	jobs[0].Run()
	b.AdoptSort(jobs[0])
	if b.hasOrder(size) {
		t.Fatal("a table adopted another's order")
	}
	b.SetSort(size)
	checkSorted(t, b, "after another table's job")
}

// TestParallelFilterMatchesEveryRow filters a table large enough to be
// filtered on several goroutines, in arrival order (the rows in
// memory), widening and narrowing (in place), with messages removed,
// and checks the view against each row's own MatchRow, in the sort's
// order.
func TestParallelFilterMatchesEveryRow(t *testing.T) {
	// Three parts, whatever the machine: their order must be kept.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	tab := NewTable()
	msgs := randomMessages(rand.New(rand.NewPCG(8, 9)), 3*parallelFilterMin+77)
	tab.Append(msgs...)
	tab.Remove(map[MessageID]bool{msgs[0].ID: true, msgs[63].ID: true, msgs[64].ID: true, msgs[len(msgs)-1].ID: true})
	tab.SetSort(SortKey{Column: ColumnSubject})
	for _, f := range []Filter{
		{Text: "i"}, {Text: "in"}, {Text: "inv"}, {Text: "in"}, {},
		{Text: "請求"}, {EncryptedOnly: true}, {Text: "spf:fail"}, {Text: "alice", DMARCFailOnly: true},
	} {
		tab.SetFilter(f)
		var want []int32
		for _, i := range tab.order {
			if tab.filter.MatchRow(tab.line(i), tab.text, tab.query) {
				want = append(want, i)
			}
		}
		if !slices.Equal(tab.view, want) {
			t.Fatalf("filter %+v: %d shown, %d match", f, len(tab.view), len(want))
		}
	}
}

// TestJobsAfterARemovalSortOnlyTheListed takes jobs once messages were
// removed (the rows they take are then the listed ones only, not every
// arrival) and checks each order against the full comparison.
func TestJobsAfterARemovalSortOnlyTheListed(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(6, 6)), 500)
	tab := NewTable()
	tab.Append(msgs...)
	tab.Remove(map[MessageID]bool{msgs[0].ID: true, msgs[250].ID: true, msgs[499].ID: true})
	keys := []SortKey{{Column: ColumnFrom}, {Column: ColumnDate, Desc: true}, {Column: ColumnSize}}
	runJobs(tab, sortJobs(tab, keys...))
	for _, k := range keys {
		if !tab.hasOrder(k) {
			t.Fatalf("no order kept for %v", k)
		}
		tab.SetSort(k)
		checkSorted(t, tab, "after a removal")
	}
}

// TestSortWaitsForTheJobUnderWay: a sort key whose job sorting ahead has
// begun takes that job's order once it ends, rather than sorting again
// beside it, and one whose job is handed out but not begun runs that job
// itself (it may never run otherwise), which the job's own goroutine
// then finds begun; the job's return to AdoptSort then changes nothing.
// A job taken before the rows changed is neither waited for nor run.
func TestSortWaitsForTheJobUnderWay(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(4, 2)), 3000)
	from := SortKey{Column: ColumnFrom}
	for _, tt := range []struct {
		name           string
		begin, changed bool
		arrivals       int
	}{
		{name: "begun", begin: true},
		{name: "begun, then arrivals", begin: true, arrivals: 100},
		{name: "not begun"},
		{name: "begun, rows changed since", begin: true, changed: true},
	} {
		tab := NewTable()
		tab.Append(msgs[:2900]...)
		j := theJob(t, tab, from)
		if tt.begin {
			go j.Run()
			for !j.started.Load() {
				runtime.Gosched()
			}
		}
		if tt.changed {
			tab.rowsChanged()
		}
		tab.Append(msgs[2900 : 2900+tt.arrivals]...)
		tab.SetSort(from) // returns: a job not begun is run here
		checkSorted(t, tab, tt.name)
		took := j.taken
		if want := !tt.changed; took != want {
			t.Errorf("%s: took the job %v, want %v", tt.name, took, want)
		}
		if !tt.begin {
			j.Run() // its goroutine, late: finds it begun, or runs it (rows changed)
		}
		<-j.done
		tab.AdoptSort(j)
		tab.SetSort(SortKey{Column: ColumnDate})
		tab.SetSort(from)
		checkSorted(t, tab, tt.name+", after the job came back")
	}
}

// TestSortJobRunOnceWhoeverBegins: the table and the job's goroutine
// reach a job handed out at once (run it with -race): it runs once (a
// second run would close its done again), the table takes its order,
// and the list is sorted.
func TestSortJobRunOnceWhoeverBegins(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(8, 3)), 2000)
	from := SortKey{Column: ColumnFrom}
	for range 50 {
		tab := NewTable()
		tab.Append(msgs...)
		j := theJob(t, tab, from)
		go j.Run()
		tab.SetSort(from)
		checkSorted(t, tab, "at once")
		if !j.taken {
			t.Fatal("the table sorted beside the job")
		}
		<-j.done
		tab.AdoptSort(j)
	}
}

// TestSortJobRunReturnsSorted: a job's goroutine that reaches Run once
// the table has claimed the job (awaitJob) finds it sorted when Run
// returns, as "Run sorts" says: it may read the order (run with -race;
// a Run that returns while the table still sorts races here).
func TestSortJobRunReturnsSorted(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(9, 1)), 20000)
	from := SortKey{Column: ColumnFrom}
	for range 5 {
		tab := NewTable()
		tab.Append(msgs...)
		j := theJob(t, tab, from)
		got := make(chan int)
		go func() {
			for !j.started.Load() { // the table claims it first
				runtime.Gosched()
			}
			j.Run()
			got <- len(j.order)
		}()
		tab.SetSort(from)
		if n := <-got; n != tab.Total() {
			t.Fatalf("Run returned with %d in order, want %d", n, tab.Total())
		}
		if !j.taken {
			t.Fatal("the table did not take the job")
		}
		tab.AdoptSort(j)
		checkSorted(t, tab, "after the late Run")
	}
}

// theJob is the job sorting ahead by k that tab hands out (sortJobs):
// one, or the test fails.
func theJob(t *testing.T, tab *Table, k SortKey) *SortJob {
	t.Helper()
	jobs := sortJobs(tab, k)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	return jobs[0]
}

// TestSortJobInTakesItsRoom checks that a job taken into a room
// (SortJobIn) fills the room's arrays rather than new ones, for a text
// column and another, that a room too small, one taken already or none
// gives arrays of the job's own, one too large arrays cut to the job,
// and that every such job sorts as the full comparison does.
func TestSortJobInTakesItsRoom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	tab := NewTable()
	tab.Append(randomMessages(r, 900)...)
	tab.Remove(map[MessageID]bool{tab.line(3).ID(): true, tab.line(500).ID(): true})
	for _, k := range []SortKey{{Column: ColumnSubject}, {Column: ColumnSize, Desc: true}} {
		size := tab.SortRoomFor(k)
		if size != (SortRoomSize{Listed: tab.Total(), Arrived: tab.n, Texts: textColumn(k.Column)}) {
			t.Fatalf("%v: room %+v for %d listed of %d", k, size, tab.Total(), tab.n)
		}
		room := NewSortRoom(size)
		idx, keys, text := room.idx, room.keys, room.text
		j := tab.SortJobIn(room, k)
		if j == nil {
			t.Fatalf("%v: no job", k)
		}
		if &j.idx[0] != &idx[0] || &j.keys[0] != &keys[0] || (size.Texts && &j.text[0] != &text[0]) {
			t.Errorf("%v: the job did not take the room's arrays", k)
		}
		if room.idx != nil || room.keys != nil || room.text != nil {
			t.Errorf("%v: the room kept its arrays for another job", k)
		}
		if again := tab.SortJobIn(room, k); again != nil {
			t.Errorf("%v: a second job for a key with one out", k)
		}
		runJobs(tab, []*SortJob{j})
		tab.SetSort(k)
		checkSorted(t, tab, "sorted from a job taken into its room")
		tab.SetSort(DefaultSort)
	}
	for name, room := range map[string]*SortRoom{
		"too small":     NewSortRoom(SortRoomSize{Listed: 10, Arrived: 10, Texts: true}),
		"too large":     NewSortRoom(SortRoomSize{Listed: tab.Total() + 500, Arrived: tab.n + 500, Texts: true}),
		"far too large": NewSortRoom(SortRoomSize{Listed: 10 * tab.Total(), Arrived: 10 * tab.n, Texts: true}),
		"taken": func() *SortRoom {
			r := NewSortRoom(tab.SortRoomFor(SortKey{Column: ColumnFrom}))
			r.take(SortRoomSize{Listed: 1, Arrived: 1, Texts: true})
			return r
		}(),
		"none": nil,
	} {
		k := SortKey{Column: ColumnFrom, Desc: true}
		tab.rowsChanged() // the orders kept so far are stale
		j := tab.SortJobIn(room, k)
		if j == nil {
			t.Fatalf("%s: no job", name)
		}
		if len(j.idx) != tab.Total() || len(j.keys) != tab.n || len(j.text) != tab.n {
			t.Fatalf("%s: job arrays of %d entries, %d keys and %d texts for %d listed of %d",
				name, len(j.idx), len(j.keys), len(j.text), tab.Total(), tab.n)
		}
		if cap(j.idx) > 2*withSpare(tab.Total()) {
			t.Errorf("%s: the job's order keeps room for %d messages, %d listed", name, cap(j.idx), tab.Total())
		}
		runJobs(tab, []*SortJob{j})
		tab.SetSort(k)
		checkSorted(t, tab, name)
		tab.SetSort(DefaultSort)
	}
	// A job over no listed message has run all the same: its order is
	// empty, not nil (which AdoptSort takes for a job that never ran).
	empty := NewTable()
	empty.Append(randomMessages(r, 3)...)
	empty.Remove(map[MessageID]bool{empty.line(0).ID(): true, empty.line(1).ID(): true, empty.line(2).ID(): true})
	j := empty.SortJobIn(nil, SortKey{Column: ColumnFrom})
	j.Run()
	if j.order == nil {
		t.Error("a job over no listed message has a nil order")
	}
}

// TestSortJobSortsTheRowsTaken checks that a job sorts the rows as they
// were when it was taken, whatever the table does meanwhile (rows
// replaced and updated, a removal, arrivals): a job reads no row once
// taken, and an edit writes a row the table owns in its slot. The edits
// come between taking and Run, then again while Run sorts on a
// goroutine of its own, where the race detector (.ci/run) sees any read
// of what an edit writes. (A job that kept pointers to the rows, 8
// bytes a message where a text is 16, failed both.)
func TestSortJobSortsTheRowsTaken(t *testing.T) {
	msgs := randomMessages(rand.New(rand.NewPCG(5, 8)), 20000)
	edit := func(tab *Table) {
		for x := range 40 {
			m := msgs[x*97]
			m.From, m.Subject, m.FromDomain = "zz edited", "aa edited", "edited.example"
			tab.Replace(&m)
		}
		tab.UpdateRows(func(r *Row) (Row, bool) {
			if r.ID() != msgs[11].ID {
				return Row{}, false
			}
			m := msgs[11]
			m.From, m.Subject = "a", "z"
			return NewRow(&m), true
		})
		tab.Remove(map[MessageID]bool{msgs[5].ID: true, msgs[6000].ID: true})
		tab.Append(randomMessages(rand.New(rand.NewPCG(2, 2)), 3000)...)
	}
	for _, k := range []SortKey{{Column: ColumnFrom}, {Column: ColumnSubject, Desc: true},
		{Column: ColumnDomain}, {Column: ColumnDate, Desc: true}} {
		before := NewTable()
		before.Append(msgs...)
		before.SetSort(k)
		for _, beside := range []bool{false, true} {
			tab := NewTable()
			tab.Append(msgs...)
			j := tab.SortJobIn(nil, k)
			if beside {
				done := make(chan struct{})
				go func() {
					defer close(done)
					j.Run()
				}()
				edit(tab)
				<-done
			} else {
				edit(tab)
				j.Run()
			}
			if !slices.Equal(j.order, before.order) {
				t.Errorf("%v, edited beside the job %v: the job's order is not that of the rows it was taken from", k, beside)
			}
		}
	}
}
