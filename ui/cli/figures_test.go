package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/mailsrc/demo"
)

// TestFiguresScan measures the scan on a generated Maildir for the issue
// notes: messages per second offline and with live authentication against
// a loopback DNS server, peak RSS, DNS queries sent, and the I/O floor of
// reading the same files with cat. It is not a unit test and asserts no
// timing; it runs only with MXAUDIT_FIGURES=1 (MXAUDIT_FIGURES_N sets the
// size, default 20,000; MXAUDIT_FIGURES_DIR keeps the Maildir between runs).
func TestFiguresScan(t *testing.T) {
	if os.Getenv("MXAUDIT_FIGURES") != "1" {
		t.Skip("figures only with MXAUDIT_FIGURES=1")
	}
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("MXAUDIT_FIGURES_N")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("MXAUDIT_FIGURES_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	maildir := filepath.Join(dir, fmt.Sprintf("bulk-%d", n))
	if _, err := os.Stat(filepath.Join(maildir, "cur")); err != nil {
		start := time.Now()
		writeBulkMaildir(t, maildir, n)
		t.Logf("generated %d messages in %v", n, time.Since(start).Round(time.Millisecond))
	}
	bin := filepath.Join(t.TempDir(), "mxaudit")
	build := exec.Command("go", "build", "-o", bin, "mxaudit")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}

	// Warm the page cache once so that every measurement reads from memory.
	run(t, "sh", "-c", "find "+maildir+" -type f -exec cat {} + > /dev/null")
	floor, _ := run(t, "sh", "-c", "find "+maildir+" -type f -exec cat {} + > /dev/null")
	t.Logf("I/O floor (cat): %v", floor.Round(time.Millisecond))

	rate := func(d time.Duration) float64 { return float64(n) / d.Seconds() }
	noPPAP, rss := run(t, bin, "scan", "--json", "--offline", "--no-ppap", "--no-cache", "--config", "/dev/null", maildir)
	t.Logf("scan --offline --no-ppap: %v, %.0f msg/s, peak RSS %d MiB, %.1f× the floor",
		noPPAP.Round(time.Millisecond), rate(noPPAP), rss>>20, noPPAP.Seconds()/floor.Seconds())
	offline, rss := run(t, bin, "scan", "--json", "--offline", "--no-cache", "--config", "/dev/null", maildir)
	t.Logf("scan --offline (with PPAP pairing): %v, %.0f msg/s, peak RSS %d MiB, %.1f× the floor",
		offline.Round(time.Millisecond), rate(offline), rss>>20, offline.Seconds()/floor.Seconds())

	dns := authtest.StartDNS(t, demo.Zone())
	live, rss := run(t, bin, "scan", "--json", "--no-cache", "--config", "/dev/null", "--dns", dns.Addr(), "--trusted-hosts", demo.TrustedMTA, maildir)
	t.Logf("scan live DNS (with PPAP pairing): %v, %.0f msg/s, peak RSS %d MiB, %d DNS queries for %d messages",
		live.Round(time.Millisecond), rate(live), rss>>20, dns.Queries(), n)
	liveNoPPAP, _ := run(t, bin, "scan", "--json", "--no-cache", "--no-ppap", "--config", "/dev/null", "--dns", dns.Addr(), "--trusted-hosts", demo.TrustedMTA, maildir)
	t.Logf("scan live DNS --no-ppap: %v, %.0f msg/s", liveNoPPAP.Round(time.Millisecond), rate(liveNoPPAP))

	// The analysis cache: a first scan fills it, a second one reads it.
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	cold, _ := run(t, bin, "scan", "--json", "--offline", "--config", "/dev/null", maildir)
	warm, rss := run(t, bin, "scan", "--json", "--offline", "--config", "/dev/null", maildir)
	t.Logf("scan --offline with the cache: cold %v, warm %v (peak RSS %d MiB)", cold.Round(time.Millisecond), warm.Round(time.Millisecond), rss>>20)
}

// run runs a command with output discarded and returns its wall time and
// peak resident set size in bytes.
func run(t *testing.T, name string, args ...string) (time.Duration, int64) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	elapsed := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return elapsed, 0
	}
	return elapsed, ru.Maxrss << 10
}
