package ppap

// Review round (commits 7bd4e74, 6d270c4, 1702887): tests that fail on
// 1702887. Copy into analysis/ppap and run:
//   go test -p 1 -count=1 -run 'Review35' ./analysis/ppap

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/model"
)

type review35Mail struct {
	id    string
	m     testMail
	blind bool // analysed without text: its passwords are unknown
}

// review35Run pairs mails through a tracked Stream, each analysed with an or,
// blind, with an analysis that keeps no text.
func review35Run(t *testing.T, cfg Config, an analyzer, mails []review35Mail) (map[model.MessageID]model.Message, *Influence) {
	t.Helper()
	blind := analysis.New(analysis.Config{})
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
	st.TrackInfluence()
	for _, l := range mails {
		a := an
		if l.blind {
			a = blind
		}
		m := a.Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))
		if err := st.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return out, st.Influence()
}

func review35Credited(m model.Message) string {
	for _, a := range m.Attachments {
		if a.Archive != nil && a.Archive.PasswordSource != "" {
			return string(a.Archive.PasswordSource)
		}
	}
	return ""
}

// TestReadByCountsMailsWithoutPassword (review of round 35): a mail
// whose passwords are unknown and that holds none takes one of the
// MaxCandidateMails reads; readBy stopped at the last mail with a
// password read, so such a mail read after it was not marked, and,
// listed before the ZIP mail (dated after it), not pinned either: the
// Influence let it go, yet without it the pairing reads the next
// candidate and opens the archive.
func TestReadByCountsMailsWithoutPassword(t *testing.T) {
	cfg, an, _ := shortSetup(t)
	cfg.MaxCandidateMails = 2
	zip := shortZips(t, 1)[0] // Pw-000
	from, to := "yamada@partner.example", "tanaka@sakura.example"
	list := []review35Mail{
		// listed before the ZIP mail, dated after it; same subject: ranked second
		{"e", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(time.Minute), msgID: "<e@x>", text: "よろしくお願いします"}, true},
		{"z", testMail{from: from, to: to, subject: "見積書 資料0", date: t0, msgID: "<z@x>", zipName: "資料0.zip", zip: zip, text: "別途お送りします"}, false},
		// a reply with a wrong password: ranked first
		{"p1", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(2 * time.Minute), msgID: "<p1@x>", inReplyTo: "<z@x>", text: "パスワード：Wrong-9x"}, false},
		// the right one, ranked third
		{"p9", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(3 * time.Minute), msgID: "<p9@x>", text: "パスワード：Pw-000"}, false},
	}
	whole, x := review35Run(t, cfg, an, list)
	without, _ := review35Run(t, cfg, an, slices.Delete(slices.Clone(list), 0, 1))
	if got, want := review35Credited(whole["z"]), review35Credited(without["z"]); got == want {
		t.Fatalf("without e, z credits %q as with it: the test tells nothing", got)
	}
	if _, err := x.Without([]int{0}); err == nil || !x.Influential(0) {
		t.Fatal("the Influence lets go of e, whose removal changes what z credits")
	}
}

// TestRememberedResultAcrossKnowledge (review of round 35): what a
// pairing reads depends on whether a candidate's passwords are known (a
// known password-less mail is not ranked, an unknown one takes a read),
// and a remembered result's key (resultKey) named only the candidates'
// IDs and digests. A result remembered when the chat mail's text was analysed
// (it credits pw) is taken by a scan where it was not: that scan pins
// only the chat mail (MaxCandidateMails 1), so pw goes out without its
// "password for" note, while the ZIP mail credits it.
func TestRememberedResultAcrossKnowledge(t *testing.T) {
	cfg, an, _ := shortSetup(t)
	cfg.MaxCandidateMails = 1
	cfg.Results, cfg.ResultsSalt = &mapResults{m: map[string]model.Message{}}, "review35"
	zip := shortZips(t, 1)[0]
	from, to := "yamada@partner.example", "tanaka@sakura.example"
	list := func(chatBlind bool) []review35Mail {
		return []review35Mail{
			{"z", testMail{from: from, to: to, subject: "見積書 資料0", date: t0, msgID: "<z@x>", zipName: "資料0.zip", zip: zip, text: "別途お送りします"}, false},
			{"chat", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(time.Minute), msgID: "<c@x>", text: "よろしくお願いします"}, chatBlind},
			{"pw", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(2 * time.Minute), msgID: "<pw@x>", text: "パスワード：Pw-000"}, false},
		}
	}
	first, _ := review35Run(t, cfg, an, list(false))
	t.Logf("scan 1 (chat analysed): z credits %q", review35Credited(first["z"]))
	second, _ := review35Run(t, cfg, an, list(true))
	fresh := cfg
	fresh.Results = nil
	want, _ := review35Run(t, fresh, an, list(true))
	credited := review35Credited(second["z"])
	t.Logf("scan 2 (chat not analysed, remembered): z credits %q; fresh pairing credits %q", credited, review35Credited(want["z"]))
	for id, m := range second {
		noted := slices.ContainsFunc(m.PasswordFor, func(l model.PasswordLink) bool { return l.Message == "z" })
		if noted != (string(id) == credited) {
			t.Errorf("z credits %q, and %s is noted %v", credited, id, noted)
		}
	}
	if credited != review35Credited(want["z"]) {
		t.Errorf("the remembered result credits %q; pairing afresh credits %q", credited, review35Credited(want["z"]))
	}
}
