package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestReadReportsWith reads report mails, bombs, a plain mail and a
// message that is gone, and checks what is counted as read and as a
// problem.
func TestReadReportsWith(t *testing.T) {
	mails := map[model.MessageID][]byte{
		"plain": []byte("From: a@example.com\r\nSubject: hello\r\n\r\nhi\r\n"),
		"gzip":  demo.ReportBombMail(demo.GzipBomb, 1, 80<<20).Raw,
		"zip":   demo.ReportBombMail(demo.ZipBomb, 2, 80<<20).Raw,
	}
	for i := range 10 {
		mails[model.MessageID(fmt.Sprint("r", i))] = demo.ReportMail(i).Raw
	}
	open := func(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
		raw, ok := mails[id]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return io.NopCloser(bytes.NewReader(raw)), nil
	}
	ids := func(list ...string) []model.MessageID {
		var out []model.MessageID
		for _, s := range list {
			out = append(out, model.MessageID(s))
		}
		return out
	}
	tests := []struct {
		name                    string
		ids                     []model.MessageID
		reports, read, problems int
	}{
		{"reports", ids("r0", "r1", "r2"), 3, 3, 0},
		{"a plain mail is no problem", ids("r0", "plain"), 1, 2, 0},
		{"bombs are problems", ids("gzip", "r3", "zip", "r4"), 2, 4, 2},
		{"a message gone is a problem, not read", ids("gone", "r5"), 1, 1, 1},
		{"a report twice counts once", ids("r6", "r6"), 1, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReadReportsWith(context.Background(), open, tt.ids)
			if got.Summary.Reports != tt.reports || got.Read != tt.read || got.Problems != tt.problems {
				t.Errorf("reports %d, read %d, problems %d; want %d, %d, %d",
					got.Summary.Reports, got.Read, got.Problems, tt.reports, tt.read, tt.problems)
			}
		})
	}
}
