package mailsrc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"mxaudit/model"
)

// TestStoredMessageBuffersAreNotShared opens plain and gzipped messages
// from many goroutines, each read whole and closed (some twice, some
// read again after Close): every message must read its own bytes, a
// second Close and a read after Close must fail, and no buffer may serve
// two messages at once (run with -race).
func TestStoredMessageBuffersAreNotShared(t *testing.T) {
	dir := t.TempDir()
	const n = 64
	want := make([][]byte, n)
	for i := range n {
		body := bytes.Repeat([]byte(fmt.Sprintf("line %d of message %d\r\n", i, i)), 200+i*37)
		want[i] = append([]byte(fmt.Sprintf("Subject: %d\r\n\r\n", i)), body...)
		data := want[i]
		if i%2 == 1 {
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(want[i])
			zw.Close()
			data = gz.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*n)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				f, err := os.Open(filepath.Join(dir, fmt.Sprint(i)))
				if err != nil {
					errs <- err
					return
				}
				rc, err := openMessage(f, model.MessageID(fmt.Sprint(i)))
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(rc)
				if err != nil || !bytes.Equal(got, want[i]) {
					errs <- fmt.Errorf("goroutine %d, message %d: read %d bytes (%v), want %d", g, i, len(got), err, len(want[i]))
				}
				if err := rc.Close(); err != nil {
					errs <- fmt.Errorf("message %d: close: %v", i, err)
				}
				if err := rc.Close(); !errors.Is(err, os.ErrClosed) {
					errs <- fmt.Errorf("message %d: second close gave %v, want os.ErrClosed", i, err)
				}
				if k, err := rc.Read(make([]byte, 16)); k != 0 || !errors.Is(err, os.ErrClosed) {
					errs <- fmt.Errorf("message %d: read after close gave %d bytes, %v", i, k, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
