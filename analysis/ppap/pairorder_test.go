package ppap

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// streamInForcedOrder streams z0, p, z1, m3, m4 and forces which of the
// two pairings (z0's, z1's) finishes first: the other one's read of its
// ZIP mail blocks until the first has been collected and a Write has
// released what it settled. p is pinned by z0 (listed after it) and
// holds z1's password, but is listed before z1 (and dated after it), so
// z1 does not pin it: p is held for z0's pairing, not for z1's.
func streamInForcedOrder(t *testing.T, first string) map[model.MessageID]model.Message {
	const sender, other, to = "a@partner.example", "x@else.example", "buyer@sakura.example"
	mails := []listed{
		{"z0", testMail{from: sender, to: to, subject: "見積書", date: t0, msgID: "<z0@p>", text: "別途お送りします",
			zipName: "q.zip", zip: makeZip(t, "Aaaa-1111", yzip.StandardEncryption, zipFile{"a.txt", []byte("a")})}},
		{"p", testMail{from: sender, to: to, subject: "【パスワード通知】", date: t0.Add(20 * time.Minute), msgID: "<p@p>", text: "パスワード：Bbbb-2222"}},
		{"z1", testMail{from: sender, to: to, subject: "請求書", date: t0.Add(10 * time.Minute), msgID: "<z1@p>", text: "別途お送りします",
			zipName: "r.zip", zip: makeZip(t, "Bbbb-2222", yzip.StandardEncryption, zipFile{"b.txt", []byte("b")})}},
		{"m3", testMail{from: other, to: to, subject: "hello", date: t0.Add(75 * time.Minute), msgID: "<m3@p>", text: "hi"}},
		{"m4", testMail{from: other, to: to, subject: "hello", date: t0.Add(76 * time.Minute), msgID: "<m4@p>", text: "hi"}},
	}
	src := memSource{}
	for _, l := range mails {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	second := map[string]string{"z0": "z1", "z1": "z0"}[first]
	gate := make(chan struct{})
	open := func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
		if string(id) == second {
			<-gate
		}
		return src.open(ctx, id)
	}
	out := map[model.MessageID]model.Message{}
	ctx := context.Background()
	cfg := Config{Window: time.Hour}
	st := NewStream(ctx, cfg, open, func(m model.Message) error { out[m.ID] = m; return nil })
	// The kept text: no pairing reads a candidate back, so only a ZIP
	// mail's own read blocks.
	an := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	write := func(i int) {
		if err := st.Write(an.Analyze(ctx, model.MessageID(mails[i].id), bytes.NewReader(src[model.MessageID(mails[i].id)]))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 { // m3 closes both windows: both pairings start
		write(i)
	}
	st.collect(true) // the first one: the other is blocked
	write(4)         // releases what the first settled
	close(gate)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPasswordForIndependentOfPairingOrder: a password mail listed
// before its ZIP mail and dated after it, held because another ZIP mail
// pins it, gets the same "password for" whichever pairing ends first. It
// got z1's note only when z1's pairing ended before z0's, which released
// it. The ZIP mail is opened with its password either way.
func TestPasswordForIndependentOfPairingOrder(t *testing.T) {
	a, b := streamInForcedOrder(t, "z0"), streamInForcedOrder(t, "z1")
	for _, out := range []map[model.MessageID]model.Message{a, b} {
		arc := out["z1"].Attachments[0].Archive
		if arc == nil || !arc.Decrypted || arc.PasswordSource != "p" {
			t.Fatalf("z1 not opened with p's password: %+v", arc)
		}
	}
	if la, lb := len(a["p"].PasswordFor), len(b["p"].PasswordFor); la != lb {
		t.Errorf("p's password_for depends on which pairing ended first: z0 first %d, z1 first %d", la, lb)
	}
}
