package ppap

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/model"
)

// undatedFor analyses with an, and drops the Date of the listed IDs.
type undatedFor struct {
	an  *analysis.Analyzer
	ids map[model.MessageID]bool
}

func (u undatedFor) Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message {
	m := u.an.Analyze(ctx, id, raw)
	if u.ids[id] {
		m.Date = time.Time{}
	}
	return m
}

// TestUndatedCandidateStaysWhileItsZipMailWaits (from a security
// review): a dated ZIP mail waits for its window while undated mails of
// its sender, listed just after it, are its candidates by listing
// distance. A listing that ends where the index prunes (every 256
// messages past 1,024 indexed) must pair it as one a message shorter
// does: the undated candidates stay while the ZIP mail waits. Both ways
// are checked: the password mail undated, and undated decoys with wrong
// passwords ranked before the dated password mail.
func TestUndatedCandidateStaysWhileItsZipMailWaits(t *testing.T) {
	filler := func(prefix string, i int, date time.Time) listed {
		return listed{fmt.Sprintf("%s%04d", prefix, i), testMail{from: fmt.Sprintf("%s%d@%s%d.example", prefix, i, prefix, i%50),
			to: "x@sakura.example", subject: "hello", date: date, msgID: fmt.Sprintf("<%s%d@x>", prefix, i), text: "hi"}}
	}
	for _, tc := range []struct {
		name    string
		decoys  int  // undated mails of the sender with wrong passwords
		pwDated bool // the password mail dated
		opened  bool // the ZIP mail opened: the decoys take every try
	}{
		{"an undated password mail", 0, false, true},
		{"undated decoys ranked first", 8, true, false},
	} {
		var list []listed
		for i := range 1024 { // the index holds 1,024: it prunes
			list = append(list, filler("f", i, t0.Add(-time.Hour)))
		}
		list = append(list, listed{"zip", holdZipMail(t)})
		undated := map[model.MessageID]bool{}
		for i := range tc.decoys {
			id := fmt.Sprintf("decoy%d", i)
			undated[model.MessageID(id)] = true
			list = append(list, listed{id, testMail{from: holdSender, to: holdRecipient, subject: "【パスワード通知】",
				date: t0, msgID: "<" + id + "@p>", text: fmt.Sprintf("パスワード：Wrong-%04d", i)}})
		}
		pw := testMail{from: holdSender, to: holdRecipient, subject: "【パスワード通知】", date: t0.Add(time.Minute),
			msgID: "<pw@p>", text: "パスワード：Hold-1234"}
		if tc.decoys > 0 { // ranked after them
			pw.subject, pw.date = "ご連絡", t0.Add(2*time.Minute)
		}
		list = append(list, listed{"pw", pw})
		if !tc.pwDated {
			undated["pw"] = true
		}
		for i := len(list); i < 1279; i++ { // other senders, inside the ZIP mail's window
			list = append(list, filler("g", i, t0.Add(time.Hour)))
		}
		an := undatedFor{analysis.New(analysis.Config{}), undated}
		short := streamList(t, an, Config{}, list, nil)
		long := streamList(t, an, Config{}, append(list, filler("h", 0, t0.Add(2*time.Hour))), nil) // 1,280: a pruning
		if short.out["zip"].Attachments[0].Archive.Decrypted != tc.opened {
			t.Fatalf("%s: the ZIP mail opened %v, want %v: the test checks nothing", tc.name, !tc.opened, tc.opened)
		}
		for _, id := range []model.MessageID{"zip", "pw"} {
			if !reflect.DeepEqual(long.out[id], short.out[id]) {
				t.Errorf("%s: %s differs once one message more is listed (decrypted %v, then %v)", tc.name, id,
					short.out["zip"].Attachments[0].Archive.Decrypted, long.out["zip"].Attachments[0].Archive.Decrypted)
			}
		}
	}
}
