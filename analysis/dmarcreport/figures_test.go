package dmarcreport

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxaudit/mailsrc/demo/corpus"
)

// TestFiguresReports measures, for the issue notes, the time and peak
// memory (max RSS of a child process doing only that) to summarise the
// largest report of the corpus and a generated folder of 1,000 gzipped
// reports. It asserts no timing and runs only with MXAUDIT_FIGURES=1.
func TestFiguresReports(t *testing.T) {
	if os.Getenv("MXAUDIT_FIGURES") != "1" {
		t.Skip("figures only with MXAUDIT_FIGURES=1")
	}
	large := filepath.Join(corpus.Dir(t, "dmarc-reports"), "parsedmarc/aggregate/!large-example.com!1711897200!1711983600.xml")
	folder := filepath.Join(t.TempDir(), "reports")
	start := time.Now()
	if err := writeReportFolder(t, folder, 1000, 50); err != nil {
		t.Fatal(err)
	}
	t.Logf("generated 1,000 reports × 50 records in %v", time.Since(start).Round(time.Millisecond))
	for _, target := range []string{large, folder} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFiguresChild$", "-test.v")
		cmd.Env = append(os.Environ(), "MXAUDIT_FIGURES_CHILD="+target)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "summarised") {
				t.Logf("%s; peak RSS %.1f MiB", strings.TrimSpace(line), float64(ru.Maxrss)/1024)
			}
		}
	}
}

// TestFiguresChild is the child process of TestFiguresReports.
func TestFiguresChild(t *testing.T) {
	target := os.Getenv("MXAUDIT_FIGURES_CHILD")
	if target == "" {
		t.Skip("child of TestFiguresReports")
	}
	start := time.Now()
	z := NewSummarizer()
	files, records := 0, 0
	err := WalkDir(target, Limits{}, func(path string, reps []*Report, err error) error {
		if err != nil {
			return err
		}
		files++
		for _, r := range reps {
			records += len(r.Records)
			z.Add(r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := z.Summary()
	t.Logf("summarised %d file(s), %d reports, %d records, %d messages in %v",
		files, s.Reports, records, s.Messages, time.Since(start).Round(time.Millisecond))
}

// writeReportFolder writes n gzipped reports of the given number of
// records each, from 20 reporters about 3 domains, with a failing source
// in every tenth record.
func writeReportFolder(t testing.TB, dir string, n, records int) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for i := range n {
		var recs []string
		for j := range records {
			dkim, spf := "pass", "pass"
			if j%10 == 0 {
				dkim, spf = "fail", "fail"
			}
			recs = append(recs, fmt.Sprintf("198.51.%d.%d,%d,%s,%s,example%d.com", i%256, j%256, 1+j%7, dkim, spf, i%3))
		}
		xml := report(fmt.Sprintf("reporter%d.example", i%20), fmt.Sprintf("id-%d", i), fmt.Sprintf("example%d.com", i%3), recs...)
		name := filepath.Join(dir, fmt.Sprintf("reporter%d!example%d.com!%d.xml.gz", i%20, i%3, i))
		if err := os.WriteFile(name, gz(t, xml), 0o600); err != nil {
			return err
		}
	}
	return nil
}
