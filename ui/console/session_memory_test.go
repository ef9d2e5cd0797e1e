package console

import (
	"runtime"
	"testing"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// The SSH server's sessions scan through the hub's View: it must keep
// handing out shared messages, or every session copies them again.
var _ SharedSource = (*app.View)(nil)

// loadedShared returns a console of the given size listing the shared
// messages as a SharedSource hands them out (the SSH server's hub).
func loadedShared(tb testing.TB, shared []*model.Message, width, height int) *Model {
	m := newModel(tb.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	for i := 0; i < len(shared); i += maxBatch {
		batch := append([]*model.Message(nil), shared[i:min(i+maxBatch, len(shared))]...)
		m.Update(scanBatchMsg{id: m.scan.id, shared: batch})
	}
	return m
}

// TestSessionMemory100k reports what one more SSH session costs with
// 100,000 messages listed: the sessions share the hub's messages, each
// keeping only its own view of them. It fails above the 20 MB budget.
func TestSessionMemory100k(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement skipped in -short mode")
	}
	const n, sessions = 100_000, 3
	msgs := manyMessages(0, n)
	shared := make([]*model.Message, n)
	for i := range msgs {
		shared[i] = &msgs[i]
	}
	// The first session interns the sort keys' strings, as the hub's
	// first session does; the others are what each further one costs.
	first := loadedShared(t, shared, 160, 48)
	heap := func() uint64 {
		runtime.GC()
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		return s.HeapAlloc
	}
	before := heap()
	var consoles []*Model
	for range sessions {
		consoles = append(consoles, loadedShared(t, shared, 160, 48))
	}
	for _, c := range consoles {
		_ = c.View()
	}
	per := float64(heap()-min(before, heap())) / sessions / (1 << 20)
	t.Logf("100,000 messages: %.1f MiB per further session", per)
	if per > 20 {
		t.Errorf("a session costs %.1f MiB, above the 20 MB budget", per)
	}
	for _, c := range consoles {
		if c.table.Total() != n {
			t.Fatalf("a session lists %d of %d messages", c.table.Total(), n)
		}
	}
	runtime.KeepAlive(first)
	runtime.KeepAlive(consoles)
	runtime.KeepAlive(msgs)
}
