package ppap

import (
	"context"
	"fmt"
	"io"
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
	msg := func(domain string, date time.Time) *model.Message {
		return &model.Message{FromAddr: "someone@" + domain, FromDomain: domain, Date: date}
	}
	marks := NewMarks(window)
	for _, m := range []*model.Message{
		msg("partner.example", t0),
		msg("partner.example", t0.Add(20*time.Hour)), // merged with t0's: one span to t0+44h
		msg("partner.example", t0.Add(100*time.Hour)),
		msg("Undated.Example", time.Time{}),
		msg("", t0), // no domain: indexed for nobody
	} {
		marks.Add(m)
	}
	encoded := msg("elsewhere.example", t0)
	encoded.Encoded = &model.Encoded{MayHaveEncryptedArchive: true}
	password := msg("elsewhere.example", t0)
	password.PasswordFor = []model.PasswordLink{{Message: "z"}}
	for _, tc := range []struct {
		name string
		m    *model.Message
		want bool
	}{
		{"an hour later", msg("partner.example", t0.Add(time.Hour)), true},
		{"at the same second", msg("partner.example", t0), true},
		{"dated before", msg("partner.example", t0.Add(-time.Second)), false},
		{"inside the merged span", msg("partner.example", t0.Add(40*time.Hour)), true},
		{"at the merged span's end", msg("partner.example", t0.Add(44*time.Hour)), true},
		{"past the merged span", msg("partner.example", t0.Add(44*time.Hour+time.Second)), false},
		{"before the next mark", msg("partner.example", t0.Add(99*time.Hour)), false},
		{"at the next mark's window end", msg("partner.example", t0.Add(124*time.Hour)), true},
		{"past every window", msg("partner.example", t0.Add(124*time.Hour+time.Nanosecond)), false},
		{"the domain in capitals", msg("PARTNER.example", t0.Add(time.Minute)), true},
		{"another domain, inside", msg("elsewhere.example", t0.Add(time.Minute)), false},
		{"undated, same domain", msg("partner.example", time.Time{}), true},
		{"undated, another domain", msg("elsewhere.example", time.Time{}), false},
		{"an undated mark's domain, years later", msg("undated.example", t0.AddDate(3, 0, 0)), true},
		{"no domain", msg("", t0), false},
		{"may hold an encrypted archive", encoded, true},
		{"a password mail already", password, true},
	} {
		if got := marks.MayPair(tc.m); got != tc.want {
			t.Errorf("%s: MayPair = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Packed and unpacked, the marks answer alike.
	b, err := marks.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Marks
	if err := back.UnmarshalBinary(b); err != nil || back.Window() != window {
		t.Fatalf("unpacked: %v, window %v", err, back.Window())
	}
	if !reflect.DeepEqual(back.domains, marks.domains) {
		t.Fatalf("unpacked %+v, packed %+v", back.domains, marks.domains)
	}
}

// TestMarksUnpackOnlyWhatTheyPack: a cut or altered record does not
// unpack (nor panic).
func TestMarksUnpackOnlyWhatTheyPack(t *testing.T) {
	marks := NewMarks(0)
	for i := range 5 {
		marks.Add(&model.Message{FromDomain: fmt.Sprintf("d%d.example", i%2), Date: t0.Add(time.Duration(i) * 50 * time.Hour)})
	}
	b, _ := marks.MarshalBinary()
	for n := range len(b) {
		var x Marks
		if x.UnmarshalBinary(b[:n]) == nil && n > 2 {
			t.Errorf("cut to %d of %d bytes, it unpacks", n, len(b))
		}
	}
	unsorted := NewMarks(0)
	unsorted.domains["d.example"] = &domainMarks{spans: []markSpan{{t0.Add(100 * time.Hour), t0.Add(100 * time.Hour)}, {t0, t0}}}
	bad, _ := unsorted.MarshalBinary()
	var x Marks
	if x.UnmarshalBinary(bad) == nil {
		t.Error("spans out of order unpack")
	}
}

func FuzzMarksUnpack(f *testing.F) {
	marks := NewMarks(0)
	marks.Add(&model.Message{FromDomain: "a.example", Date: t0})
	marks.Add(&model.Message{FromDomain: "b.example"})
	b, _ := marks.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var x Marks
		if x.UnmarshalBinary(b) != nil {
			return
		}
		again, _ := x.MarshalBinary()
		var y Marks
		if err := y.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(x.domains, y.domains) {
			t.Fatalf("unpacked marks do not pack alike: %v", err)
		}
	})
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
	var tally mayPairTally
	for trial := range 60 {
		list := make([]listed, 16)
		for i := range list {
			list[i] = listed{fmt.Sprintf("t%d-%02d", trial, i), mail(i)}
		}
		// Listed last, dated anywhere from the listing's start to a day
		// and a half past its end.
		added := listed{fmt.Sprintf("t%d-new", trial), mail(99)}
		added.m.date = t0.Add(time.Duration(rng.IntN(72*60)) * time.Minute)
		tally.add(mayPairWhenSaysNo(t, an, list, added))
	}
	tally.check(t, 5)
}

// mayPairWhenSaysNo pairs list through a Stream, then list with added
// last, and returns what MayPair, given the marks of what pairing
// changed in the first, says of added, and how many password mails the
// first paired. When MayPair says no, it fails the test unless the
// second emitted every message as the first did, and added as it came.
func mayPairWhenSaysNo(t *testing.T, an analyzer, list []listed, added listed) (bool, int) {
	t.Helper()
	before := streamList(t, an, Config{}, list, nil)
	marks, paired := NewMarks(0), 0
	for _, l := range list {
		m := before.out[model.MessageID(l.id)]
		if ChangedByPairing(&m) {
			marks.Add(&m)
		}
		if len(m.PasswordFor) > 0 {
			paired++
		}
	}
	after := streamList(t, an, Config{}, append(list, added), nil)
	m := after.out[model.MessageID(added.id)]
	if marks.MayPair(&m) {
		return true, paired
	}
	for _, l := range list {
		if id := model.MessageID(l.id); !reflect.DeepEqual(after.out[id], before.out[id]) {
			t.Fatalf("%s changed by %s, which MayPair found no pairing for (%q %q %v)", id, added.id, m.FromAddr, m.FromDomain, m.Date)
		}
	}
	if alone := streamList(t, an, Config{}, []listed{added}, nil).out[model.MessageID(added.id)]; !reflect.DeepEqual(m, alone) {
		t.Fatalf("%s was changed by pairing", added.id)
	}
	return false, paired
}

// headTricks analyses with an, then sets the sender and date fields of
// each listed ID as a crafted (or cached) result may hold them.
type headTricks struct {
	an  *analysis.Analyzer
	set map[model.MessageID]func(*model.Message)
}

func (h headTricks) Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message {
	m := h.an.Analyze(ctx, id, raw)
	if f := h.set[id]; f != nil {
		f(&m)
	}
	return m
}

// TestMayPairNoWhateverTheHead is TestMayPairNoMeansNothingChanges with
// what a sender controls, or a cached result may hold: case and Unicode
// variants of the sender, a From domain that is not the address's, no
// domain, no address, undated, far-future or far-past dates and dates a
// whole window apart, recipients, the password in the new mail (from a
// security review).
func TestMayPairNoWhateverTheHead(t *testing.T) {
	base := analysis.New(analysis.Config{})
	addrs := []string{"yamada@partner.example", "YAMADA@PARTNER.EXAMPLE", "yamada@partner.example", "it@partner.example",
		"\u212aato@partner.example", "kato@partner.example", "\u0130nfo@partner.example", "i\u0307nfo@partner.example",
		"sales@other.example", "yamada@other.example", "", "x@"}
	domains := []string{"", "partner.example", "PARTNER.example", "other.example", "\u212a.example", "k.example"}
	rcpts := []string{"tanaka@sakura.example", "suzuki@sakura.example"}
	rng := rand.New(rand.NewPCG(11, 23))
	zips := make([][]byte, 3)
	for i := range zips {
		zips[i] = makeZip(t, fmt.Sprintf("Pw-%d%d%d", i, i, i), yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")})
	}
	date := func() time.Time {
		switch rng.IntN(14) {
		case 0:
			return time.Time{}
		case 1:
			return t0.AddDate(80, 0, 0)
		case 2:
			return t0.AddDate(-80, 0, 0)
		case 3, 4: // a window's edge: the same second, or the window after
			return t0.Add(time.Duration(rng.IntN(3)) * DefaultWindow)
		}
		return t0.Add(time.Duration(rng.IntN(60*60)) * time.Minute)
	}
	var tally mayPairTally
	for trial := range 300 {
		set := map[model.MessageID]func(*model.Message){}
		mail := func(id string, zipOK bool) listed {
			m := testMail{from: "a@b.example", to: rcpts[rng.IntN(2)], subject: "ご連絡", date: t0,
				msgID: "<" + id + "@x>", text: "よろしくお願いします"}
			switch k := rng.IntN(3); {
			case k == 0 && zipOK:
				z := rng.IntN(len(zips))
				m.subject, m.zipName, m.zip, m.text = "見積書", fmt.Sprintf("資料%d.zip", z), zips[z], "別途お送りします"
			case k <= 1:
				m.subject, m.text = "【パスワード通知】", fmt.Sprintf("パスワード：Pw-%[1]d%[1]d%[1]d", rng.IntN(len(zips)))
			}
			addr, dom, d := addrs[rng.IntN(len(addrs))], domains[rng.IntN(len(domains))], date()
			if rng.IntN(2) == 0 && addr != "" { // the address's own domain, as a parser gives it
				if i := len(addr) - len("partner.example"); i > 0 {
					dom = addr[i:]
				}
			}
			set[model.MessageID(id)] = func(m *model.Message) { m.FromAddr, m.FromDomain, m.Date = addr, dom, d }
			return listed{id, m}
		}
		list := make([]listed, 14+rng.IntN(8))
		for i := range list {
			list[i] = mail(fmt.Sprintf("t%d-%02d", trial, i), true)
		}
		an := headTricks{base, set}
		tally.add(mayPairWhenSaysNo(t, an, list, mail(fmt.Sprintf("t%d-new", trial), false)))
	}
	tally.check(t, 20)
}

// mayPairTally counts what MayPair said over the trials of a test
// (mayPairWhenSaysNo), and the password mails paired.
type mayPairTally struct{ no, yes, paired int }

func (c *mayPairTally) add(said bool, paired int) {
	if c.paired += paired; said {
		c.yes++
	} else {
		c.no++
	}
}

// check fails the test unless each count reached least: listings that
// never make MayPair say one of them, or pair nothing, test nothing.
func (c *mayPairTally) check(t *testing.T, least int) {
	t.Helper()
	if c.no < least || c.yes < least || c.paired < least {
		t.Fatalf("MayPair said no %d times and yes %d, %d password mails paired: the listings do not test both", c.no, c.yes, c.paired)
	}
	t.Logf("MayPair: no %d, yes %d; %d password mails paired", c.no, c.yes, c.paired)
}

// TestMarksCloneIsApart: marks added to a clone of unpacked marks are
// the clone's alone, and the clone packs as the marks with them added.
func TestMarksCloneIsApart(t *testing.T) {
	day := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	orig := NewMarks(time.Hour)
	orig.Add(&model.Message{FromDomain: "partner.example", Date: day})
	orig.Add(&model.Message{FromDomain: "other.example"})
	packed, _ := orig.MarshalBinary()
	var x Marks
	if err := x.UnmarshalBinary(packed); err != nil {
		t.Fatal(err)
	}
	c := x.Clone()
	later := &model.Message{FromDomain: "partner.example", Date: day.Add(5 * time.Hour)}
	c.Add(later)
	orig.Add(later)
	if got, _ := x.MarshalBinary(); string(got) != string(packed) {
		t.Fatal("adding to the clone changed the marks it was made of")
	}
	want, _ := orig.MarshalBinary()
	if got, _ := c.MarshalBinary(); string(got) != string(want) {
		t.Fatal("the clone with a mark added packs otherwise than the marks with it added")
	}
	if x.MayPair(&model.Message{FromDomain: "partner.example", Date: day.Add(5*time.Hour + time.Minute)}) {
		t.Fatal("the marks answer for a mark only their clone has")
	}
}
