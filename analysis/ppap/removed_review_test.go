package ppap

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// TestReviewRemovedTailAfterPruning (security review): Tail.Without is
// the tail of the listing without the messages taken out only while the
// sender index never pruned. Here the old listing (a password mail P,
// then 1,100 chat mails from many senders dated hours later) pruned P;
// 300 chat mails, none influential, are taken out, and a ZIP mail dated
// just before P (a forged, "late" Date) comes as new mail. Pairing the
// listing as it is now never prunes (fewer than 1,024 entries), so P
// opens the ZIP; the stream resumed from Tail.Without lacks P and does
// not. The resumed stream must tell (an inexact tail, a late ZIP mail),
// for its outcome not to be taken (ui/app's resumeAppended).
func TestReviewRemovedTailAfterPruning(t *testing.T) {
	cfg, an, _ := shortSetup(t)
	zip := holdZipMail(t)
	zip.from = "attacker@evil.example"
	zip.zip = makeZip(t, "Hold-1234", yzip.AES256Encryption, zipFile{"invoice.exe", append([]byte("MZ\x90\x00"), make([]byte, 512)...)})
	zip.date = t0.Add(-10 * time.Minute) // late: far more than two windows before the latest date
	pw := testMail{from: "attacker@evil.example", to: holdRecipient, subject: "【パスワード通知】見積書", date: t0,
		msgID: "<pw@e>", text: "パスワード：Hold-1234"}
	list := []listed{{"P", pw}}
	for i := range 1100 {
		list = append(list, listed{fmt.Sprintf("c%04d", i), testMail{from: fmt.Sprintf("user%d@many.example", i%300),
			to: holdRecipient, subject: "ご連絡", date: t0.Add(10*time.Hour + time.Duration(i)*time.Second),
			msgID: fmt.Sprintf("<c%d@m>", i), text: "よろしくお願いします"}})
	}
	tail, x := influenceTail(t, an, cfg, list)
	if tail == nil || x.Positional() {
		t.Fatalf("no tail (%v) or positional (%+v)", tail == nil, x)
	}
	var removed []int
	for p := 1; p <= 300; p++ {
		if x.Influential(p) {
			t.Fatalf("chat mail %d is influential", p)
		}
		removed = append(removed, p)
	}
	rebased, err := tail.Without(removed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Without(removed); err != nil {
		t.Fatal(err)
	}
	now := append(without(list, removed), listed{"Z", zip})
	st, out, _ := resumeWritten(t, an, cfg, now, rebased, len(now)-1, len(now), func(st *Stream) { st.TrackInfluence() })
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	fresh := streamList(t, an, cfg, now, nil).out
	decrypted := func(msgs map[model.MessageID]model.Message) bool {
		m := msgs["Z"]
		for _, a := range m.Attachments {
			if a.Archive != nil && a.Archive.Decrypted {
				return true
			}
		}
		return false
	}
	gotOpen, wantOpen := decrypted(out), decrypted(fresh)
	t.Logf("resumed from Tail.Without: decrypted %v; fresh pairing of the listing as it is now: decrypted %v", gotOpen, wantOpen)
	told := rebased.Inexact() && st.Influence().LateZip
	if !told {
		t.Fatalf("the stream resumed from Tail.Without does not tell that a late ZIP mail came (inexact %v)", rebased.Inexact())
	}
	if gotOpen == wantOpen && reflect.DeepEqual(out["Z"], fresh["Z"]) {
		t.Log("the outcomes agree this time: the case no longer shows the index pruned otherwise")
	}
}
