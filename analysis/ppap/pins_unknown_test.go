package ppap

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/model"
)

// TestPinsCoverWhatPairingReads: a ZIP mail's pins are the mails its
// pairing may read, so that the mail it credits is held for its note.
// Candidates whose passwords the pairing does not know (analysed without
// their text) and that turn out to hold none count among the mails it
// reads, as among its pins: before, the pairing read past them and
// credited a mail ranked below the pins, which went out without its
// "password for" note (the security review of round 34).
func TestPinsCoverWhatPairingReads(t *testing.T) {
	cfg, an, _ := shortSetup(t)
	cfg.MaxCandidateMails = 2
	zip := shortZips(t, 1)[0]
	blind := analysis.New(analysis.Config{}) // keeps no text: passwords unknown
	from, to := "yamada@partner.example", "tanaka@sakura.example"
	mails := []struct {
		id string
		m  testMail
		an analyzer
	}{
		{"z", testMail{from: from, to: to, subject: "見積書 資料0", date: t0, msgID: "<z@x>", zipName: "資料0.zip", zip: zip, text: "別途お送りします"}, an},
		{"chat1", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(time.Minute), msgID: "<c1@x>", text: "よろしくお願いします"}, blind},
		{"chat2", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(2 * time.Minute), msgID: "<c2@x>", text: "よろしくお願いします"}, blind},
		{"pw", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(3 * time.Minute), msgID: "<pw@x>", text: "パスワード：Pw-000"}, an},
	}
	ctx := context.Background()
	src := memSource{}
	for _, l := range mails {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	out := map[model.MessageID]model.Message{}
	st := NewStream(ctx, cfg, src.open, func(m model.Message) error {
		out[m.ID] = m
		return nil
	})
	for _, l := range mails {
		m := l.an.Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))
		if l.an == blind && m.PasswordsInText == model.PasswordsNone {
			t.Fatalf("%s: the analysis without text says it holds no password", l.id)
		}
		if err := st.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	z := out["z"]
	credited := ""
	for _, a := range z.Attachments {
		if a.Archive != nil && a.Archive.PasswordSource != "" {
			credited = string(a.Archive.PasswordSource)
		}
	}
	for id, m := range out {
		noted := slices.ContainsFunc(m.PasswordFor, func(l model.PasswordLink) bool { return l.Message == "z" })
		if noted != (string(id) == credited) {
			t.Fatalf("the ZIP mail credits %q, and %s is noted %v: %+v", credited, id, noted, m.PasswordFor)
		}
	}
}
