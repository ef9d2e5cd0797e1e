package console

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
)

// manyMessages returns n distinct messages built from the samples, each
// with its own Auth and attachments so that memory figures are honest.
func manyMessages(from, n int) []model.Message {
	base := sampleMessages()
	out := make([]model.Message, n)
	for j := range out {
		i := from + j
		m := base[i%len(base)]
		m.ID = model.MessageID(fmt.Sprintf("cur/%07d.M%dP%d.host", i, i*7, i%97))
		m.MessageID = fmt.Sprintf("<%d.%d@mail.example>", i, i*31)
		m.Subject = fmt.Sprintf("%s #%d", m.Subject, i)
		m.FromDomain = fmt.Sprintf("d%d.%s", i%500, m.FromDomain)
		m.Date = m.Date.Add(-time.Duration(i%10000) * time.Minute)
		m.Size = int64(1000 + i*7919%5_000_000)
		if m.Auth != nil {
			a := *m.Auth
			a.DKIM = append([]model.DKIMResult(nil), a.DKIM...)
			m.Auth = &a
		}
		m.Attachments = append([]model.Attachment(nil), m.Attachments...)
		m.Verdict.Reasons = append([]string(nil), m.Verdict.Reasons...)
		out[j] = m
	}
	return out
}

// loadedN returns a console of the given size holding n messages.
func loadedN(tb testing.TB, n, width, height int) *Model {
	m := newModel(tb.Context(), testConfig(nil), true)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	// Batches are made as they are delivered, as a scan streams them, so
	// that the memory figures do not count a second copy of everything.
	for i := 0; i < n; i += maxBatch {
		deliver(m, scanBatchMsg{id: m.scan.id, msgs: manyMessages(i, min(maxBatch, n-i))})
	}
	return m
}

// BenchmarkView measures drawing one frame with 100,000 messages loaded,
// with the detail pane open, in colour.
func BenchmarkView(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := loadedN(b, 100_000, size[0], size[1])
			m.noColor = false
			m.Update(tea.BackgroundColorMsg{})
			m.Update(press("enter"))
			m.Update(press("G"))
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkKeyAndView measures a keystroke that moves the selection and
// the frame after it, the operator's latency, with 100,000 messages.
func BenchmarkKeyAndView(b *testing.B) {
	m := loadedN(b, 100_000, 160, 48)
	m.Update(press("enter"))
	k := []tea.KeyPressMsg{press("j"), press("k")}
	i := 0
	for b.Loop() {
		m.Update(k[i%2])
		_ = m.View()
		i++
	}
}

// BenchmarkStartup measures New plus the first frame, before the scan has
// delivered anything: what the operator waits for after pressing enter.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		m := New(testConfig(nil))
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		_ = m.View()
	}
}

// BenchmarkSortAndFilter100k measures re-sorting and re-filtering the
// console with 100,000 messages through its keys.
func BenchmarkSortAndFilter100k(b *testing.B) {
	m := loadedN(b, 100_000, 160, 48)
	k := []tea.KeyPressMsg{press("s"), press("1"), press("S"), press("1")}
	i := 0
	for b.Loop() {
		m.Update(k[i%len(k)])
		_ = m.View()
		i++
	}
}

// TestMemory100k reports the heap and the peak RSS with 100,000 messages
// loaded into the console; it fails above the 200 MB budget.
func TestMemory100k(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement skipped in -short mode")
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	m := loadedN(t, 100_000, 160, 48)
	_ = m.View()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc)) / (1 << 20)
	peak := peakRSS()
	t.Logf("100,000 messages: live heap %.1f MiB, process peak RSS %.1f MiB", heap, peak)
	if heap > 200 {
		t.Errorf("live heap %.1f MiB exceeds the 200 MB budget", heap)
	}
	runtime.KeepAlive(m)
}

// peakRSS returns the process's peak resident set (VmHWM) in MiB, or 0
// where /proc is not available.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
