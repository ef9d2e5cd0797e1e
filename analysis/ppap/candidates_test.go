package ppap

import (
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

func TestCandidateGate(t *testing.T) {
	zip := &Ref{ID: "z", FromAddr: "yamada@partner.example", FromDomain: "partner.example",
		Recipients: []string{"kobayashi@sakura.example", "tanaka@sakura.example"}, Date: t0, Seq: 10}
	tests := []struct {
		name string
		c    Ref
		want bool
	}{
		{"same address", Ref{ID: "a", FromAddr: "yamada@partner.example", Date: t0.Add(time.Minute), Seq: 11}, true},
		{"same domain, recipients within", Ref{ID: "b", FromAddr: "pw@partner.example", FromDomain: "partner.example", Recipients: []string{"tanaka@sakura.example"}, Date: t0.Add(time.Minute), Seq: 11}, true},
		{"same domain, other recipient", Ref{ID: "c", FromAddr: "pw@partner.example", FromDomain: "partner.example", Recipients: []string{"sato@sakura.example"}, Date: t0.Add(time.Minute), Seq: 11}, false},
		{"same domain, no recipients", Ref{ID: "d", FromAddr: "pw@partner.example", FromDomain: "partner.example", Date: t0.Add(time.Minute), Seq: 11}, false},
		{"other sender", Ref{ID: "e", FromAddr: "x@evil.example", FromDomain: "evil.example", Recipients: []string{"tanaka@sakura.example"}, Date: t0.Add(time.Minute), Seq: 11}, false},
		{"before the zip", Ref{ID: "f", FromAddr: "yamada@partner.example", Date: t0.Add(-time.Minute), Seq: 11}, false},
		{"after the window", Ref{ID: "g", FromAddr: "yamada@partner.example", Date: t0.Add(25 * time.Hour), Seq: 11}, false},
		{"undated, listed soon after", Ref{ID: "h", FromAddr: "yamada@partner.example", Seq: 12}, true},
		{"undated, listed long after", Ref{ID: "i", FromAddr: "yamada@partner.example", Seq: 10 + zeroDateSpan + 1}, false},
		{"itself", Ref{ID: "z", FromAddr: "yamada@partner.example", Date: t0, Seq: 10}, false},
	}
	for _, tt := range tests {
		if got := IsCandidate(zip, &tt.c, 24*time.Hour); got != tt.want {
			t.Errorf("%s: IsCandidate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRankCandidates(t *testing.T) {
	zip := &Ref{ID: "z", MessageID: threadHash("<z@p>"), FromAddr: "a@p.example", FromDomain: "p.example", Subject: foldSubject("見積書送付の件"), Date: t0}
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	cands := []*Ref{
		{ID: "later-zip", FromAddr: "a@p.example", Subject: foldSubject("別件"), HasFiles: true, Date: at(1)},
		{ID: "plain-close", FromAddr: "a@p.example", Subject: foldSubject("ご連絡"), Date: at(2)},
		{ID: "plain-far", FromAddr: "a@p.example", Subject: foldSubject("ご連絡"), Date: at(50)},
		{ID: "notice", FromAddr: "a@p.example", Subject: foldSubject("【パスワード通知】"), PasswordSubject: true, Date: at(9)},
		{ID: "same-subject", FromAddr: "a@p.example", Subject: foldSubject("Re: 見積書送付の件"), Date: at(8)},
		{ID: "reply", FromAddr: "a@p.example", Subject: foldSubject("x"), Thread: []uint64{threadHash("<z@p>")}, Date: at(30)},
		{ID: "file-name", FromAddr: "a@p.example", Subject: foldSubject("【PW】見積書_2026.zip"), PasswordSubject: true, Date: at(7)},
	}
	var got []model.MessageID
	for _, r := range rankCandidates(zip, cands, []string{foldSubject("見積書_2026")}) {
		got = append(got, r.ID)
	}
	want := []model.MessageID{"reply", "file-name", "same-subject", "notice", "plain-close", "plain-far", "later-zip"}
	if !slices.Equal(got, want) {
		t.Errorf("rank %v\nwant %v", got, want)
	}
}

func TestFoldSubject(t *testing.T) {
	tests := map[string]string{
		"Re: 見積書送付の件":              "見積書送付の件",
		"RE: Fwd: ＲＥ：見積書":          "見積書",
		"【パスワード通知】Re: 見積書送付の件":     "見積書送付の件",
		"[External] Quotation  Q1": "quotation q1",
	}
	for in, want := range tests {
		if got := foldSubject(in); got != want {
			t.Errorf("foldSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
