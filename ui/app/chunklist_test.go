package app

import (
	"fmt"
	"testing"
)

// TestChunkListLetsGoWholeChunks: dropBefore lets go of the chunks that
// hold only elements before its mark, never one holding an element at
// or after it; the elements after it read back as added, and reading one
// let go panics.
func TestChunkListLetsGoWholeChunks(t *testing.T) {
	defer func(c int) { chunkLen = c }(chunkLen)
	chunkLen = 4
	tests := []struct {
		n     int   // elements added
		drops []int // marks, in turn
		gone  int   // elements let go after them
	}{
		{0, []int{0, 5}, 0},
		{10, []int{0}, 0},
		{10, []int{3}, 0},  // inside the first chunk: kept
		{10, []int{4}, 4},  // the first chunk, whole
		{10, []int{7}, 4},  // the second holds 7
		{10, []int{8}, 8},  //
		{10, []int{10}, 8}, // the last chunk is not full: kept, it may grow
		{12, []int{12}, 12},
		{12, []int{99}, 12}, // past the end: up to it
		{10, []int{8, 4}, 8},
		{10, []int{1, 5, 9}, 8},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n, tt.drops), func(t *testing.T) {
			c := newChunkList[string](tt.n)
			for i := range tt.n {
				c.add(fmt.Sprint("e", i))
			}
			for _, d := range tt.drops {
				c.dropBefore(d)
			}
			if c.gone != tt.gone || c.len() != tt.n {
				t.Fatalf("gone %d, len %d; want %d, %d", c.gone, c.len(), tt.gone, tt.n)
			}
			for k, chunk := range c.chunks {
				if let := (k+1)*chunkLen <= tt.gone; let != (chunk == nil) {
					t.Errorf("chunk %d let go: %v, want %v", k, chunk == nil, let)
				}
			}
			for i := tt.gone; i < tt.n; i++ {
				if got := *c.at(i); got != fmt.Sprint("e", i) {
					t.Fatalf("element %d: %q", i, got)
				}
			}
			if tt.gone > 0 {
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("element %d, let go, was read", tt.gone-1)
						}
					}()
					c.at(tt.gone - 1)
				}()
			}
		})
	}
}
