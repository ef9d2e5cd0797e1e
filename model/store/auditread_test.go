package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/model/store/fsx"
)

// TestReadersWaitForAHalfWrittenRecord: a writer holding the log's
// exclusive lock has written half a record; every reader (verify, the
// anchor, the listing, the approvals' lookup) waits for the lock instead
// of reporting the half line as a torn record.
func TestReadersWaitForAHalfWrittenRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	first := model.NewAuditEntry(model.ActionRelease, tanaka, testNow)
	first.SetOutcome(nil)
	if _, err := l.Append(first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.Detail = "the second record"
	prev, _ := parseRecordFile(t, path)
	line, err := second.Chain(prev)
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string]func() error{
		"VerifyAuditLog": func() error {
			r, err := VerifyAuditLog(path)
			if err == nil && (!r.OK() || r.Records != 2) {
				err = fmt.Errorf("report %+v, want 2 intact records", r)
			}
			return err
		},
		"LastAnchor": func() error {
			a, err := LastAnchor(path)
			if err == nil && a.Seq != 2 {
				err = fmt.Errorf("anchor %s, want seq 2", a)
			}
			return err
		},
		"ReadAuditLog": func() error {
			es, err := ReadAuditLog(path)
			if err == nil && len(es) != 2 {
				err = fmt.Errorf("%d records, want 2", len(es))
			}
			return err
		},
		"readRecords": func() error {
			rs, _, err := readRecords(path, map[int]bool{2: true})
			if err == nil && rs[2] == nil {
				err = fmt.Errorf("record 2 not read")
			}
			return err
		},
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			// Put the log back to its first record, and write half the
			// second under the exclusive lock, as Append does mid-write.
			data, _ := os.ReadFile(path)
			os.WriteFile(path, data[:lenFirstLine(data)], 0o600)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := fsx.LockWithin(f, time.Second); err != nil {
				t.Fatal(err)
			}
			f.Write(line[:len(line)/2])
			done := make(chan error, 1)
			go func() { done <- read() }()
			// Give the reader time to reach the lock: without it, it
			// would read the half line now. (Not an assertion on time: a
			// slower reader only makes the test weaker, never fail.)
			time.Sleep(100 * time.Millisecond)
			f.Write(append(line[len(line)/2:], '\n'))
			f.Sync()
			fsx.Unlock(f)
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
}

// TestVerifyWhileAppending: a writer with its own file
// descriptors (an AuditLog of its own, as another process has) appends
// in a loop while readers verify and read the anchor over and over:
// no reader ever reports damage.
func TestVerifyWhileAppending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	w, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	big := model.NewAuditEntry(model.ActionRelease, tanaka, testNow)
	for i := range 2000 { // long records make a torn read likelier
		big.Recipients = append(big.Recipients, fmt.Sprintf("user%d@example.com", i))
	}
	big.SetOutcome(nil)
	const appends = 300
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(stop)
		for range appends {
			if _, err := w.Append(big); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if r, err := VerifyAuditLog(path); err != nil || !r.OK() {
					t.Errorf("VerifyAuditLog while appending = %+v, %v", r, err)
					return
				}
				if _, err := LastAnchor(path); err != nil {
					t.Errorf("LastAnchor while appending: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if r, err := VerifyAuditLog(path); err != nil || r.Records != appends {
		t.Errorf("VerifyAuditLog after = %+v, %v", r, err)
	}
}

func lenFirstLine(data []byte) int {
	for i, b := range data {
		if b == '\n' {
			return i + 1
		}
	}
	return len(data)
}

func parseRecordFile(t *testing.T, path string) (*model.AuditEntry, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseRecord(data[:lenFirstLine(data)-1])
}
