package ppap

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"mxaudit/model"
)

// TestFoundMemoReadsEachMailOnce checks that a mail's candidates are read
// once while remembered, again once forgotten (oldest first), and that a
// failed read is not remembered.
func TestFoundMemoReadsEachMailOnce(t *testing.T) {
	mails := map[model.MessageID][]byte{
		"a": rawMail(testMail{from: "x@p.example", subject: "PW", date: t0, text: "パスワード：Alpha-1234"}),
		"b": rawMail(testMail{from: "x@p.example", subject: "PW", date: t0, text: "パスワード：Bravo-5678"}),
		"c": rawMail(testMail{from: "x@p.example", subject: "PW", date: t0, text: "パスワード：Charlie-90"}),
	}
	var reads []model.MessageID
	broken := true
	open := func(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
		reads = append(reads, id)
		if id == "broken" && broken {
			return nil, errors.New("gone")
		}
		if id == "broken" {
			id = "a"
		}
		return io.NopCloser(bytes.NewReader(mails[id])), nil
	}
	memo := newFoundMemo(2)
	cfg := Config{}.withDefaults()
	steps := []struct {
		id       model.MessageID
		wantRead bool
		wantPW   string
	}{
		{"a", true, "Alpha-1234"},
		{"a", false, "Alpha-1234"},
		{"b", true, "Bravo-5678"},
		{"a", false, "Alpha-1234"},
		{"c", true, "Charlie-90"}, // forgets a, the oldest
		{"b", false, "Bravo-5678"},
		{"a", true, "Alpha-1234"},
		{"broken", true, ""},
		{"broken", true, "Alpha-1234"}, // the failure was not remembered
	}
	for i, st := range steps {
		before := len(reads)
		if st.id == "broken" && st.wantPW != "" {
			broken = false
		}
		found, err := memo.candidates(context.Background(), &cfg, open, &Ref{ID: st.id})
		if read := len(reads) > before; read != st.wantRead {
			t.Errorf("step %d (%s): read %v, want %v", i, st.id, read, st.wantRead)
		}
		if st.wantPW == "" {
			if err == nil {
				t.Errorf("step %d (%s): no error", i, st.id)
			}
			continue
		}
		if err != nil || !slices.ContainsFunc(found, func(f Found) bool { return f.Password == st.wantPW }) {
			t.Errorf("step %d (%s): %v, %v; want %s among them", i, st.id, found, err, st.wantPW)
		}
	}
}
