//go:build unix

package console

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// program is the part of tea.Program's event loop that the console's
// cost depends on: every command runs on its own goroutine, every message
// it answers goes through Update, and every Update is followed by View.
// It lets a benchmark drive the root model the way the program does — the
// scan goroutine, the channel, the batching command, the frame after each
// batch — instead of handing Update ready-made batches.
type program struct {
	m    *Model
	msgs chan tea.Msg
	// frames counts the Views drawn, updates the messages handled.
	frames, updates int
}

func newProgram(m *Model) *program { return &program{m: m, msgs: make(chan tea.Msg, 64)} }

// run executes cmd as tea.Program does: batches fan out, each command on
// its own goroutine. Ticks (the notice and statistics timers) would only
// delay the benchmark and are dropped.
func (p *program) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				p.run(c)
			}
		default:
			p.msgs <- msg
		}
	}()
}

// handle is one turn of the event loop: Update, then the frame.
func (p *program) handle(msg tea.Msg) {
	_, cmd := p.m.Update(msg)
	p.run(cmd)
	_ = p.m.View()
	p.updates++
	p.frames++
}

// untilScanDone handles messages until the scan has ended.
func (p *program) untilScanDone(ctx context.Context) error {
	for p.m.scan.running {
		select {
		case msg := <-p.msgs:
			if _, isTick := msg.(statsTickMsg); isTick {
				continue
			}
			p.handle(msg)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// settle handles the messages that arrive within d of each other, as
// the program does while the operator reads the screen: the commands a
// frame leads to (sorting ahead, sortahead.go) run before the next key.
func (p *program) settle(d time.Duration) {
	for {
		select {
		case msg := <-p.msgs:
			if _, isTick := msg.(statsTickMsg); !isTick {
				p.handle(msg)
			}
		case <-time.After(d):
			return
		}
	}
}

// streamConfig is a console over a source that emits msgs with a
// progress report after each, as App.Scan does: as fast as the channel
// takes them when rate is 0, else about rate messages a second, in
// bursts of 40, as the real scan's workers deliver them.
func streamConfig(msgs []model.Message, rate int) Config {
	cfg := testConfig(nil)
	const burst = 40
	cfg.Source = &stub{scan: func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
		start := time.Now()
		for i := range msgs {
			if rate > 0 && i%burst == 0 {
				due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
				time.Sleep(time.Until(due))
			}
			if err := emit(msgs[i]); err != nil {
				return err
			}
			progress(scan.Progress{Listed: len(msgs), Analysed: i + 1})
		}
		return nil
	}}
	return cfg
}

// scanRate is the CLI's pace on the generated 100,000-message Maildir
// (offline, no PPAP) on the 2-core test machine: about 4,000 messages a
// second. A console fed at that pace gets the batch sizes, and so the
// number of frames, of the real program.
const scanRate = 4000

// BenchmarkScanThenKeys drives the console as the program does on a
// quarantine of n messages: the scan streams them through the batching
// command, a frame is drawn after every batch, then the operator sorts
// (s, then S), types a filter (/ e x), and jumps to the end (G), each
// key followed by its frame, with a pause before each (p.settle) in
// which the commands the frames lead to run. It reports the scan's time in the console and
// each key's latency; run with -benchtime=1x -count=N and compare
// min/median, the figures are noisy on a shared machine. The unpaced
// runs measure the console's own cost (the source is free and batches
// are full); the paced runs feed it at the real scan's pace, where
// batches are small and frames many, as in the program — their ns/op is
// mostly the pacing, their CPU (-cpuprofile) the console's.
func BenchmarkScanThenKeys(b *testing.B) {
	for _, c := range []struct{ n, rate int }{{20_000, 0}, {100_000, 0}, {20_000, scanRate}, {100_000, scanRate}} {
		n := c.n
		name := fmt.Sprintf("n=%d/unpaced", n)
		if c.rate > 0 {
			name = fmt.Sprintf("n=%d/paced", n)
		}
		b.Run(name, func(b *testing.B) {
			msgs := manyMessages(0, n)
			var scanT, scanCPU, sortT, filterT, endT time.Duration
			var frames int
			for b.Loop() {
				m := newModel(b.Context(), streamConfig(msgs, c.rate), true)
				m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
				p := newProgram(m)
				start, cpu0 := time.Now(), cpuTime()
				p.run(m.startScan())
				if err := p.untilScanDone(b.Context()); err != nil {
					b.Fatal(err)
				}
				scanT += time.Since(start)
				scanCPU += cpuTime() - cpu0
				frames += p.frames
				if m.table.Total() != n {
					b.Fatalf("listed %d of %d messages", m.table.Total(), n)
				}
				key := func(k string) time.Duration {
					t := time.Now()
					p.handle(press(k))
					return time.Since(t)
				}
				// The operator reads the screen before each key.
				p.settle(200 * time.Millisecond)
				sortT += key("s")
				p.settle(200 * time.Millisecond)
				sortT += key("S")
				p.settle(200 * time.Millisecond)
				p.handle(press("/"))
				filterT += key("e") + key("x")
				p.handle(press("enter"))
				endT += key("G")
				m.stopScan()
			}
			runs := float64(b.N)
			b.ReportMetric(float64(scanT.Milliseconds())/runs, "ms/scan")
			b.ReportMetric(float64(scanCPU.Milliseconds())/runs, "ms-cpu/scan")
			b.ReportMetric(float64(frames)/runs, "frames/scan")
			b.ReportMetric(float64(sortT.Microseconds())/runs/2000, "ms/sort-key")
			b.ReportMetric(float64(filterT.Microseconds())/runs/2000, "ms/filter-key")
			b.ReportMetric(float64(endT.Microseconds())/runs/1000, "ms/G-key")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system, the
// source's goroutine included: the figure to compare with the CLI's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
