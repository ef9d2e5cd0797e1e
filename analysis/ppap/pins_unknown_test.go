package ppap

import (
	"slices"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/model"
)

// Mails whose passwords pairing does not know: analysed without their
// text (a result cached by an analysis that kept none), pairing reads
// them to find out, and each counts among the MaxCandidateMails it
// reads, as among the ZIP mail's pins.

// blindMail is a listed mail, and whether it is analysed without its
// text, its passwords then unknown to pairing.
type blindMail struct {
	id    string
	m     testMail
	blind bool // analysed without text: its passwords are unknown
}

// pairBlind pairs mails through a tracked Stream, each analysed with an
// or, blind, with an analysis that keeps no text, and returns what it
// emitted and its Influence.
func pairBlind(t *testing.T, cfg Config, an analyzer, mails []blindMail) (map[model.MessageID]model.Message, *Influence) {
	t.Helper()
	blind := analysis.New(analysis.Config{})
	list := make([]listed, len(mails))
	for i, l := range mails {
		list[i] = listed{l.id, l.m}
	}
	st, out, _ := writeTrackedBy(t, func(i int) analyzer {
		if mails[i].blind {
			return blind
		}
		return an
	}, cfg, list)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return out, st.Influence()
}

// creditedBy is the mail the ZIP mail m credits with a password, "" for
// none.
func creditedBy(m model.Message) string {
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
	list := []blindMail{
		// listed before the ZIP mail, dated after it; same subject: ranked second
		{"e", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(time.Minute), msgID: "<e@x>", text: "よろしくお願いします"}, true},
		{"z", testMail{from: from, to: to, subject: "見積書 資料0", date: t0, msgID: "<z@x>", zipName: "資料0.zip", zip: zip, text: "別途お送りします"}, false},
		// a reply with a wrong password: ranked first
		{"p1", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(2 * time.Minute), msgID: "<p1@x>", inReplyTo: "<z@x>", text: "パスワード：Wrong-9x"}, false},
		// the right one, ranked third
		{"p9", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(3 * time.Minute), msgID: "<p9@x>", text: "パスワード：Pw-000"}, false},
	}
	whole, x := pairBlind(t, cfg, an, list)
	without, _ := pairBlind(t, cfg, an, slices.Delete(slices.Clone(list), 0, 1))
	if got, want := creditedBy(whole["z"]), creditedBy(without["z"]); got == want {
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
	cfg.Results, cfg.ResultsSalt = &mapResults{m: map[string]model.Message{}}, "blind"
	zip := shortZips(t, 1)[0]
	from, to := "yamada@partner.example", "tanaka@sakura.example"
	list := func(chatBlind bool) []blindMail {
		return []blindMail{
			{"z", testMail{from: from, to: to, subject: "見積書 資料0", date: t0, msgID: "<z@x>", zipName: "資料0.zip", zip: zip, text: "別途お送りします"}, false},
			{"chat", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(time.Minute), msgID: "<c@x>", text: "よろしくお願いします"}, chatBlind},
			{"pw", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(2 * time.Minute), msgID: "<pw@x>", text: "パスワード：Pw-000"}, false},
		}
	}
	if first, _ := pairBlind(t, cfg, an, list(false)); creditedBy(first["z"]) != "pw" {
		t.Fatalf("with the chat mail analysed, z credits %q, not pw: the test tells nothing", creditedBy(first["z"]))
	}
	second, _ := pairBlind(t, cfg, an, list(true))
	fresh := cfg
	fresh.Results = nil
	want, _ := pairBlind(t, fresh, an, list(true))
	credited := creditedBy(second["z"])
	for id, m := range second {
		noted := slices.ContainsFunc(m.PasswordFor, func(l model.PasswordLink) bool { return l.Message == "z" })
		if noted != (string(id) == credited) {
			t.Errorf("z credits %q, and %s is noted %v", credited, id, noted)
		}
	}
	if credited != creditedBy(want["z"]) {
		t.Errorf("the remembered result credits %q; pairing afresh credits %q", credited, creditedBy(want["z"]))
	}
}

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
	from, to := "yamada@partner.example", "tanaka@sakura.example"
	out, _ := pairBlind(t, cfg, an, []blindMail{
		{"z", testMail{from: from, to: to, subject: "見積書 資料0", date: t0, msgID: "<z@x>", zipName: "資料0.zip", zip: zip, text: "別途お送りします"}, false},
		{"chat1", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(time.Minute), msgID: "<c1@x>", text: "よろしくお願いします"}, true},
		{"chat2", testMail{from: from, to: to, subject: "見積書 資料0", date: t0.Add(2 * time.Minute), msgID: "<c2@x>", text: "よろしくお願いします"}, true},
		{"pw", testMail{from: from, to: to, subject: "ご連絡", date: t0.Add(3 * time.Minute), msgID: "<pw@x>", text: "パスワード：Pw-000"}, false},
	})
	credited := creditedBy(out["z"])
	for id, m := range out {
		noted := slices.ContainsFunc(m.PasswordFor, func(l model.PasswordLink) bool { return l.Message == "z" })
		if noted != (string(id) == credited) {
			t.Fatalf("the ZIP mail credits %q, and %s is noted %v: %+v", credited, id, noted, m.PasswordFor)
		}
	}
	if credited != "" {
		t.Fatalf("the pairing read past the two chat mails it pins and credits %q", credited)
	}
}
