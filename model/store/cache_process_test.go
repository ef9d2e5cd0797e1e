//go:build unix

package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// cacheChildEnv makes the test binary act as a second mxaudit process
// (TestCacheChildProcess runs only when it is set).
const cacheChildEnv = "MXAUDIT_CACHE_TEST_CHILD"

// TestCacheChildProcess is the second process of TestCacheTwoProcesses;
// it does nothing in a normal run. It opens the cache in the directory
// named by the environment, reports its Stats and what it read, puts
// keys "child/N" and, as the writer, keeps putting until stdin closes.
func TestCacheChildProcess(t *testing.T) {
	dir := os.Getenv(cacheChildEnv)
	if dir == "" {
		t.Skip("helper process for TestCacheTwoProcesses")
	}
	c, err := OpenCache(dir, testSource, testFingerprint)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	_, hit := c.Get("7/1")
	s := c.Stats()
	report, _ := json.Marshal(map[string]any{"read_only": s.ReadOnly, "entries": s.Entries, "hit": hit, "dropped": s.Dropped})
	fmt.Println(string(report))
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	for i := 0; ; i++ {
		select {
		case <-done:
			if err := c.Close(); err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			os.Exit(0)
		default:
		}
		c.Put(fmt.Sprintf("child/%d", i), sampleMessage(i))
		if i%10 == 0 {
			c.Flush()
		}
		time.Sleep(time.Millisecond)
	}
}

// startCacheChild runs the test binary as a second process on dir and
// returns its first report; closing stdin ends it.
func startCacheChild(t *testing.T, dir string) (map[string]any, io.WriteCloser, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCacheChildProcess$")
	cmd.Env = append(os.Environ(), cacheChildEnv+"="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.HasPrefix(line, "error") {
		t.Fatalf("child: %q, %v", line, err)
	}
	var report map[string]any
	if err := json.Unmarshal([]byte(line), &report); err != nil {
		t.Fatalf("child report %q: %v", line, err)
	}
	go io.Copy(io.Discard, stdout)
	return report, stdin, cmd
}

func TestCacheTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("child is read-only while this process writes", func(t *testing.T) {
		dir, path := fillCache(t, 3)
		c := openTestCache(t, dir)
		c.Put("7/5", sampleMessage(5))
		report, stdin, cmd := startCacheChild(t, dir)
		if report["read_only"] != true || report["hit"] != true || report["entries"] != float64(3) {
			t.Errorf("child: %v", report)
		}
		time.Sleep(100 * time.Millisecond) // the child tries to put meanwhile
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(path); strings.Contains(string(data), "child/") {
			t.Error("the read-only process wrote to the file")
		}
		c = openTestCache(t, dir)
		defer c.Close()
		if s := c.Stats(); s.Entries != 4 || s.Dropped != 0 || s.TornTail {
			t.Errorf("after both: %+v", s)
		}
	})
	t.Run("this process reads while the child writes", func(t *testing.T) {
		dir, _ := fillCache(t, 3)
		report, stdin, cmd := startCacheChild(t, dir)
		if report["read_only"] != false {
			t.Fatalf("child: %v", report)
		}
		// Open repeatedly while the child appends: every open sees whole
		// records (a partial last line is expected, never a bad one).
		for range 20 {
			c := openTestCache(t, dir)
			s := c.Stats()
			if !s.ReadOnly || s.Dropped != 0 || s.Rebuilt || s.Entries < 3 {
				t.Errorf("reading during writes: %+v", s)
			}
			got, ok := c.Get("7/2")
			if !ok {
				t.Error("7/2 missing")
			} else {
				assertSameMessage(t, got, sampleMessage(2))
			}
			c.Close()
			time.Sleep(10 * time.Millisecond)
		}
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
		c := openTestCache(t, dir)
		defer c.Close()
		s := c.Stats()
		if s.ReadOnly || s.Dropped != 0 || s.TornTail || s.Entries < 10 {
			t.Errorf("after the child: %+v", s)
		}
		if got, ok := c.Get("child/3"); !ok {
			t.Error("the child's records are missing")
		} else {
			assertSameMessage(t, got, sampleMessage(3))
		}
	})
}
