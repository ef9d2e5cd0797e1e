package ppap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"mxaudit/model"
)

// TestStreamIndexHoldsTwoWindows checks that the sender index keeps two
// windows of mail before the latest date while ZIP mails wait for theirs,
// as the Stream says: a waiting ZIP mail is at most a window older than
// the latest date, and its candidates are dated at or after it. (The
// cut-off two windows before the oldest waiting ZIP mail kept a third
// window.)
func TestStreamIndexHoldsTwoWindows(t *testing.T) {
	const (
		window = time.Hour
		step   = 5 * time.Second
		perWin = int(window / step)
	)
	unreadable := func(context.Context, model.MessageID) (io.ReadCloser, error) {
		return nil, errors.New("not kept")
	}
	s := NewStream(context.Background(), Config{Window: window}, unreadable, func(model.Message) error { return nil })
	most := 0
	for i := range 8 * perWin {
		m := model.Message{
			ID: model.MessageID(fmt.Sprint("m", i)), FromAddr: fmt.Sprintf("s%d@partner.example", i%50),
			FromDomain: "partner.example", To: []string{"buyer@sakura.example"}, Subject: "資料",
			Date: t0.Add(time.Duration(i) * step),
		}
		if i%60 == 0 { // a ZIP mail every five minutes, each waiting an hour
			m.Attachments = []model.Attachment{{Filename: "a.zip", Archive: &model.Archive{Format: "zip", Encrypted: true}}}
		}
		if err := s.Write(m); err != nil {
			t.Fatal(err)
		}
		most = max(most, s.senders.n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Pruning runs every 256 messages.
	if limit := 2*perWin + 256; most > limit {
		t.Errorf("the index held up to %d messages, more than two windows (%d) and a pruning's worth", most, limit)
	}
	if most < 2*perWin {
		t.Errorf("the index held at most %d messages, less than two windows (%d): the slack is gone", most, 2*perWin)
	}
}
