package ppap

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

func TestMayPair(t *testing.T) {
	window := 24 * time.Hour
	marks := NewMarks([]Mark{
		{Addr: "yamada@partner.example", Domain: "partner.example", Date: t0},
		{Addr: "sato@undated.example", Domain: "undated.example"},
		{Addr: "x@", Domain: ""}, // an address without a domain
	}, window)
	msg := func(from, domain string, date time.Time) *model.Message {
		return &model.Message{FromAddr: from, FromDomain: domain, Date: date}
	}
	encoded := msg("a@elsewhere.example", "elsewhere.example", t0)
	encoded.Encoded = &model.Encoded{MayHaveEncryptedArchive: true}
	password := msg("a@elsewhere.example", "elsewhere.example", t0)
	password.PasswordFor = []model.PasswordLink{{Message: "z"}}
	for _, tc := range []struct {
		name string
		m    *model.Message
		want bool
	}{
		{"same address, an hour later", msg("Yamada@Partner.example", "partner.example", t0.Add(time.Hour)), true},
		{"same address, at the same second", msg("yamada@partner.example", "partner.example", t0), true},
		{"same address, at the window's end", msg("yamada@partner.example", "partner.example", t0.Add(window)), true},
		{"same address, past the window", msg("yamada@partner.example", "partner.example", t0.Add(window+time.Second)), false},
		{"same address, dated before", msg("yamada@partner.example", "partner.example", t0.Add(-time.Second)), false},
		{"same domain, another address, inside", msg("it@PARTNER.example", "Partner.Example", t0.Add(time.Minute)), true},
		{"same domain, past the window", msg("it@partner.example", "partner.example", t0.Add(48*time.Hour)), false},
		{"another domain, inside", msg("a@elsewhere.example", "elsewhere.example", t0.Add(time.Minute)), false},
		{"undated, same domain", msg("it@partner.example", "partner.example", time.Time{}), true},
		{"undated, another domain", msg("a@elsewhere.example", "elsewhere.example", time.Time{}), false},
		{"an undated mark's domain, years later", msg("b@undated.example", "undated.example", t0.AddDate(3, 0, 0)), true},
		{"an address without a domain, same address", msg("x@", "", t0), true},
		{"no sender", msg("", "", t0), false},
		{"may hold an encrypted archive", encoded, true},
		{"a password mail already", password, true},
	} {
		if got := marks.MayPair(tc.m); got != tc.want {
			t.Errorf("%s: MayPair = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMayPairNoMeansNothingChanges pairs random listings of ZIP mails,
// their password mails and other mail through the Stream, then the same
// listing with one more message last: whenever MayPair, given the marks
// of what pairing changed in the first, says no, the second emits every
// message as the first did, and the new one as it came. Both answers
// must occur, or the test says nothing.
func TestMayPairNoMeansNothingChanges(t *testing.T) {
	an := analysis.New(analysis.Config{})
	senders := []string{"yamada@partner.example", "it@partner.example", "sales@other.example"}
	recipients := []string{"tanaka@sakura.example", "suzuki@sakura.example"}
	rng := rand.New(rand.NewPCG(7, 18))
	var zips []testMail // a few archives, made once: each takes a key derivation to open
	for i := range 3 {
		zips = append(zips, testMail{zipName: fmt.Sprintf("資料%d.zip", i),
			zip: makeZip(t, fmt.Sprintf("Pw-%d%d%d", i, i, i), yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")})})
	}
	mail := func(i int) testMail {
		m := testMail{from: senders[rng.IntN(len(senders))], to: recipients[rng.IntN(len(recipients))],
			subject: "ご連絡", date: t0.Add(time.Duration(rng.IntN(36*60)) * time.Minute), msgID: fmt.Sprintf("<m%d@x>", i), text: "よろしくお願いします"}
		switch rng.IntN(3) {
		case 0:
			z := zips[rng.IntN(len(zips))]
			m.subject, m.zipName, m.zip, m.text = "見積書", z.zipName, z.zip, "別途お送りします"
		case 1:
			m.subject, m.text = "【パスワード通知】", fmt.Sprintf("パスワード：Pw-%[1]d%[1]d%[1]d", rng.IntN(len(zips)))
		}
		return m
	}
	var no, yes, paired int
	for trial := range 60 {
		list := make([]listed, 16)
		for i := range list {
			list[i] = listed{fmt.Sprintf("t%d-%02d", trial, i), mail(i)}
		}
		before := streamList(t, an, Config{}, list, nil)
		var marks []Mark
		for _, l := range list {
			m := before.out[model.MessageID(l.id)]
			if ChangedByPairing(&m) {
				marks = append(marks, MarkOf(&m))
			}
			if len(m.PasswordFor) > 0 {
				paired++
			}
		}
		// Listed last, dated anywhere from the listing's start to a day
		// and a half past its end.
		added := listed{fmt.Sprintf("t%d-new", trial), mail(99)}
		added.m.date = t0.Add(time.Duration(rng.IntN(72*60)) * time.Minute)
		after := streamList(t, an, Config{}, append(list, added), nil)
		m := after.out[model.MessageID(added.id)]
		if NewMarks(marks, 0).MayPair(&m) {
			yes++
			continue
		}
		no++
		for _, l := range list {
			id := model.MessageID(l.id)
			if !reflect.DeepEqual(after.out[id], before.out[id]) {
				t.Fatalf("trial %d: %s changed by a message MayPair found no pairing for", trial, id)
			}
		}
		if alone := analysedAsIs(t, an, added); !reflect.DeepEqual(m, alone) {
			t.Fatalf("trial %d: the added message was changed by pairing", trial)
		}
	}
	if no < 5 || yes < 5 || paired < 5 {
		t.Fatalf("MayPair said no %d times and yes %d, %d password mails paired: the listings do not test both", no, yes, paired)
	}
	t.Logf("MayPair: no %d, yes %d; %d password mails paired", no, yes, paired)
}

// analysedAsIs is l's analysis as a Stream emits a message pairing does
// not touch.
func analysedAsIs(t *testing.T, an *analysis.Analyzer, l listed) model.Message {
	t.Helper()
	run := streamList(t, an, Config{}, []listed{l}, nil)
	return run.out[model.MessageID(l.id)]
}
