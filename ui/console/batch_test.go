package console

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestFirstBatchShowsAScreenfulAtOnce: the first batch of a scan is handed
// over as soon as it fills a screen, without waiting out its window; a
// later batch gathers up to maxBatch messages within its own.
func TestFirstBatchShowsAScreenfulAtOnce(t *testing.T) {
	tests := []struct {
		name       string
		window     time.Duration
		size, want int
	}{
		{"first batch", 10 * time.Second, firstBatch, firstBatch}, // not 300 ten seconds later
		{"later batch", 50 * time.Millisecond, maxBatch, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := make(chan scanEvent, 300)
			for i := range 300 {
				events <- scanEvent{msg: model.Message{ID: model.MessageID(fmt.Sprint(i))}, hasMsg: true}
			}
			b := waitForBatch(context.Background(), events, 1, tt.window, tt.size, app.NewSpill(""))().(scanBatchMsg)
			if len(b.msgs) != tt.want {
				t.Errorf("batch of %d messages, want %d", len(b.msgs), tt.want)
			}
		})
	}
}

// TestRowBatchesCountRowsLight: rows handed out whole (a row snapshot, a
// shared source) cost a batch a sixteenth of what a message does, so that
// a warm start's 100,000 rows take a few updates and frames rather than a
// hundred; the first batch still comes once it fills a screen.
func TestRowBatchesCountRowsLight(t *testing.T) {
	const chunks = 40 // of rowChunk rows: 10,240
	tests := []struct {
		name       string
		window     time.Duration
		size, want int
	}{
		{"first batch", 10 * time.Second, firstBatch, firstBatch * rowsPerMessage},
		{"later batch", 50 * time.Millisecond, maxBatch, chunks * rowChunk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := make(chan scanEvent, chunks)
			for c := range chunks {
				rows := make([]*model.Row, rowChunk)
				for i := range rows {
					r := model.NewRow(&model.Message{ID: model.MessageID(fmt.Sprint(c*rowChunk + i))})
					rows[i] = &r
				}
				events <- scanEvent{rows: rows}
			}
			b := waitForBatch(context.Background(), events, 1, tt.window, tt.size, app.NewSpill(""))().(scanBatchMsg)
			if len(b.shared) != tt.want {
				t.Errorf("batch of %d rows, want %d", len(b.shared), tt.want)
			}
		})
	}
}
