package app

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"mxaudit/model"
)

// TestMismatchedKeptRowIsNotListedAgain: a kept list whose row of a
// message is not the row this mxaudit makes of it (what another build
// with the same rowMaker but other row code, RowCodecVersion not bumped,
// would have kept; the digest, IDs, order and checksums all hold) is
// handed out, and Message fails closed on it (errListChanged, "scan
// again (ctrl+r)"). The scan again must then not list that row once
// more: at 86a437e it replays the same file, the message stays
// unreadable until the quarantine's listing changes.
func TestMismatchedKeptRowIsNotListedAgain(t *testing.T) {
	a, _, cfg := keptQuarantine(t, Options{})
	untilRows(t, a)
	path, b := rowsFile(t, cfg)
	line, _, _ := bytes.Cut(b, []byte("\n"))
	h := strings.Fields(string(line))
	if len(h) != 5 {
		t.Fatalf("header %q", line)
	}
	rf, err := openRowsWith(path, func(string) (int, bool) { return 1 << 20, true })
	if err != nil {
		t.Fatal(err)
	}
	var rows []*model.Row
	for rf.rowsLeft > 0 {
		block, err := rf.next()
		if err != nil {
			break
		}
		for i := range block {
			rows = append(rows, &block[i])
		}
	}
	rf.Close()
	if len(rows) == 0 {
		t.Fatal("no rows kept")
	}
	// The first row, as other row code would have made it.
	id := rows[0].ID()
	m, err := a.Message(context.Background(), id)
	if err != nil {
		t.Fatalf("reading back %s before the edit: %v", id, err)
	}
	m.Subject += " (made otherwise)"
	other := model.NewRowOf(&m, rows[0].Content())
	rows[0] = &other
	if err := saveRows(path, h[3], rows); err != nil {
		t.Fatal(err)
	}

	s := scanRows(t, a)
	if len(s.rows) == 0 || !bytes.Equal(encodedRow(s.rows[0]), encodedRow(&other)) {
		t.Fatalf("the edited list was not handed out (%d rows)", len(s.rows))
	}
	if _, err := a.Message(context.Background(), id); !errors.Is(err, errListChanged) {
		t.Fatalf("Message of a row made otherwise: %v, want errListChanged", err)
	}
	// The operator scans again, as the error says.
	s = scanRows(t, a)
	for _, r := range s.rows {
		if r.ID() == id && bytes.Equal(encodedRow(r), encodedRow(&other)) {
			t.Fatal("the scan again lists the row made otherwise once more")
		}
	}
	if _, err := a.Message(context.Background(), id); err != nil && !errors.Is(err, ErrNotSpilled) {
		t.Fatalf("after the scan again, Message: %v", err)
	}
}
