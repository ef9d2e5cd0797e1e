package ppap

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"mxaudit/model"
)

func TestMemoOpener(t *testing.T) {
	var mu sync.Mutex
	opens := map[model.MessageID]int{}
	src := func(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
		mu.Lock()
		opens[id]++
		mu.Unlock()
		if id == "gone" {
			return nil, fmt.Errorf("no message %s", id)
		}
		size := 100
		if id == "big" {
			size = 5000
		}
		return io.NopCloser(strings.NewReader(strings.Repeat(string(id[:1]), size))), nil
	}
	open := MemoOpener(src, 1000) // keeps messages up to 250 bytes, 1000 in all
	read := func(id model.MessageID) string {
		rc, err := open(context.Background(), id)
		if err != nil {
			return "error"
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return string(b)
	}
	for range 3 {
		if got := read("a"); got != strings.Repeat("a", 100) {
			t.Fatalf("read a: %q", got)
		}
	}
	if opens["a"] != 1 {
		t.Errorf("a opened %d times, want once", opens["a"])
	}
	for range 2 {
		if got := read("big"); len(got) != 5000 || !bytes.Equal([]byte(got), bytes.Repeat([]byte("b"), 5000)) {
			t.Fatalf("read big: %d bytes", len(got))
		}
	}
	if opens["big"] != 2 {
		t.Errorf("a message over a quarter of the budget was kept (%d opens)", opens["big"])
	}
	// Ten more messages push "a" out of the 1000-byte budget.
	for i := range 10 {
		read(model.MessageID(fmt.Sprintf("m%d", i)))
	}
	read("a")
	if opens["a"] != 2 {
		t.Errorf("a opened %d times after eviction, want twice", opens["a"])
	}
	first, second := read("gone"), read("gone")
	if first != "error" || second != "error" || opens["gone"] != 2 {
		t.Errorf("errors must not be remembered (%d opens)", opens["gone"])
	}
}
