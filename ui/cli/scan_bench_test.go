package cli

import (
	"context"
	"io"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// BenchmarkScanJSONWarm is "mxaudit scan --json" reopened on a generated
// Maildir of 5,000 messages that nothing changed since the scan before:
// the application core replays the cache's snapshot and the JSON writer
// prints each cached record as it is, as the command does, to
// io.Discard. It reports the allocations and bytes allocated per message
// (allocs/msg, B/msg), which drive the collector's share of a warm
// scan's CPU, and the time per message. "exceptions" runs it under a
// policy of active exceptions, as a gateway that lets a few partners'
// encrypted ZIPs through has: every message is then checked against
// them (annotateWith).
func BenchmarkScanJSONWarm(b *testing.B) {
	now := time.Now()
	policy := model.Policy{Approvers: []string{"sato"}}
	for i, scope := range []model.ExceptionScope{model.ScopeDomain, model.ScopeDomain, model.ScopeAddress} {
		value := []string{"kawasemi-kikai.example", "*.example", "sato.sato@kawasemi-kikai.example"}[i]
		policy.Exceptions = append(policy.Exceptions, model.Exception{
			ID: i + 1, Scope: scope, Value: value, Reason: "benchmark",
			Kinds:       []model.ExceptionKind{model.KindEncryptedArchive},
			RequestedBy: "tanaka", Created: now.Add(-time.Hour),
			ApprovedBy: "sato", Approved: now.Add(-time.Hour), Expires: now.Add(24 * time.Hour),
		})
	}
	b.Run("plain", func(b *testing.B) { benchmarkScanJSONWarm(b, nil) })
	b.Run("exceptions", func(b *testing.B) { benchmarkScanJSONWarm(b, annotateWith(policy, now)) })
}

func benchmarkScanJSONWarm(b *testing.B, annotate func(model.Message) model.Message) {
	const n = 5000
	dir := filepath.Join(b.TempDir(), "quarantine")
	writeBulkMaildir(b, dir, n)
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, b.TempDir()
	env := Env{Stdout: io.Discard, Stderr: io.Discard}
	scanOnce := func() bool {
		a, err := app.Open(context.Background(), dir, cfg, appOptions(env, nil))
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		if err := scanTo(context.Background(), a, formatJSON, env, annotate); err != nil {
			b.Fatal(err)
		}
		return a.ScanReplayed()
	}
	scanOnce() // fills the cache and records the snapshot
	if !scanOnce() {
		b.Fatal("the second scan did not replay the snapshot: the benchmark would not measure a warm reopen")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		scanOnce()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	msgs := float64(b.N) * n
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/msgs, "allocs/msg")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/msgs, "B/msg")
}

// writeBulkMaildir writes n generated messages (demo.Bulk) to a Maildir
// at dir.
func writeBulkMaildir(tb testing.TB, dir string, n int) {
	tb.Helper()
	w, err := demo.NewStoreWriter(demo.FormatMaildir, dir)
	if err != nil {
		tb.Fatal(err)
	}
	if err := demo.Bulk(n, 1, w.Write); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}
