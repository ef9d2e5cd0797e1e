package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/mailsrc/demo"
)

// TestFiguresReports measures `mxaudit reports` for the issue notes, as a
// child process each time: wall time and peak RSS on 5,000 generated
// report mails offline and against a loopback DNS server that answers
// every PTR query empty (NXDOMAIN) after 20 ms, and peak RSS on 100 report
// mails with 8 gzip/ZIP bombs of 128 MiB. It prints min/median/max over
// MXAUDIT_FIGURES_RUNS runs (default 5) and asserts no timing; it runs
// only with MXAUDIT_FIGURES=1. MXAUDIT_FIGURES_BINS="before=PATH,after=PATH"
// measures other builds, their runs interleaved so that both see the
// same machine load (paired runs); by default the tree is built and
// measured alone. MXAUDIT_FIGURES_DIR keeps the Maildirs.
func TestFiguresReports(t *testing.T) {
	if os.Getenv("MXAUDIT_FIGURES") != "1" {
		t.Skip("figures only with MXAUDIT_FIGURES=1")
	}
	runs := 5
	if v, err := strconv.Atoi(os.Getenv("MXAUDIT_FIGURES_RUNS")); err == nil && v > 0 {
		runs = v
	}
	dir := os.Getenv("MXAUDIT_FIGURES_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	bulk, bombs := filepath.Join(dir, "reports-5000"), filepath.Join(dir, "reports-bombs")
	for _, g := range []struct {
		dir      string
		n, bombs int
		inflated int64
	}{{bulk, 5000, 0, 0}, {bombs, 100, 8, 128 << 20}} {
		if _, err := os.Stat(filepath.Join(g.dir, "cur")); err == nil {
			continue
		}
		if err := demo.WriteReportMaildir(g.dir, g.n, g.bombs, g.inflated); err != nil {
			t.Fatal(err)
		}
	}
	type build struct{ name, path string }
	var bins []build
	for _, b := range strings.Split(os.Getenv("MXAUDIT_FIGURES_BINS"), ",") {
		if name, path, ok := strings.Cut(b, "="); ok {
			bins = append(bins, build{name, path})
		}
	}
	if len(bins) == 0 {
		bin := filepath.Join(t.TempDir(), "mxaudit")
		cmd := exec.Command("go", "build", "-o", bin, "mxaudit")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, build{"this tree", bin})
	}
	dns := authtest.StartDNS(t, nil)
	dns.SetDelay(20 * time.Millisecond)
	cases := []struct {
		name string
		args []string
	}{
		{"5,000 report mails, offline", []string{"--offline", bulk}},
		{"5,000 report mails, PTR empty after 20 ms", []string{"--dns", dns.Addr(), bulk}},
		{"5,000 report mails --json, PTR empty after 20 ms", []string{"--json", "--dns", dns.Addr(), bulk}},
		{"100 report mails + 8 bombs of 128 MiB, offline", []string{"--offline", bombs}},
	}
	for _, c := range cases {
		walls := make([][]time.Duration, len(bins))
		rsss := make([][]int64, len(bins))
		queries := make([]int, len(bins))
		warnings := 0
		for range runs {
			for i, b := range bins {
				before := dns.Queries()
				wall, rss, errOut := runReportsChild(t, b.path, c.args)
				walls[i], rsss[i] = append(walls[i], wall), append(rsss[i], rss)
				queries[i] = dns.Queries() - before
				warnings = strings.Count(errOut, "\n")
			}
		}
		for i, b := range bins {
			w, r := walls[i], rsss[i]
			slices.Sort(w)
			slices.Sort(r)
			t.Logf("%s [%s]: wall %v / %v / %v, peak RSS %.1f / %.1f / %.1f MiB (min/median/max of %d), %d DNS queries, %d warnings",
				c.name, b.name, w[0].Round(time.Millisecond), w[runs/2].Round(time.Millisecond), w[runs-1].Round(time.Millisecond),
				mib(r[0]), mib(r[runs/2]), mib(r[runs-1]), runs, queries[i], warnings)
		}
	}
}

// runReportsChild runs `bin reports args` and returns its wall time, peak
// RSS and standard error.
func runReportsChild(t *testing.T, bin string, args []string) (time.Duration, int64, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"reports", "--config", "/dev/null"}, args...)...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, errOut.String())
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return wall, 0, errOut.String()
	}
	return wall, ru.Maxrss << 10, errOut.String()
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
