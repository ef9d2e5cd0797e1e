package ppap

// Security review of Stream.Tail / ResumeStream: differential tests on
// adversarial listings (attacker-chosen Date, From, recipients,
// Message-ID, In-Reply-To, listing order), and on a tail taken from a
// cold scan (kept text) resumed from cached results, as ui/app does.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// reviewRun is what one stream emitted, by ID, and how often.
type reviewRun struct {
	out   map[model.MessageID]model.Message
	times map[model.MessageID]int
}

func newReviewRun() reviewRun {
	return reviewRun{out: map[model.MessageID]model.Message{}, times: map[model.MessageID]int{}}
}

func (r reviewRun) emit(m model.Message) error {
	r.out[m.ID] = m
	r.times[m.ID]++
	return nil
}

// reviewSource holds every mail of list.
func reviewSource(list []listed) memSource {
	src := memSource{}
	for _, l := range list {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	return src
}

// reviewWhole pairs list whole; anAt gives the analysis of each place.
func reviewWhole(t *testing.T, cfg Config, list []listed, anAt func(int) analyzer) reviewRun {
	t.Helper()
	ctx := context.Background()
	src := reviewSource(list)
	run := newReviewRun()
	st := NewStream(ctx, cfg, src.open, run.emit)
	for i, l := range list {
		if err := st.Write(anAt(i).Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return run
}

// reviewCut pairs list[:cut] with firstAn, takes (packs, unpacks) its
// tail, and resumes it with readAn reading places back and restAn
// analysing list[cut:]. It returns the combined outcome (the resumed
// stream's where it emitted, else the first stream's), the tail, and
// the resumed run; nil tail where the first stream gave none.
func reviewCut(t *testing.T, cfg Config, list []listed, cut int, firstAn, readAn, restAn func(int) analyzer) (map[model.MessageID]model.Message, *Tail, reviewRun) {
	t.Helper()
	ctx := context.Background()
	src := reviewSource(list)
	first := newReviewRun()
	st := NewStream(ctx, cfg, src.open, first.emit)
	for i, l := range list[:cut] {
		if err := st.Write(firstAn(i).Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
			t.Fatal(err)
		}
	}
	tail, err := st.Tail()
	if err != nil && !errors.Is(err, ErrNoTail) {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if tail == nil {
		return nil, nil, reviewRun{}
	}
	packed, _ := tail.MarshalBinary()
	var back Tail
	if err := back.UnmarshalBinary(packed); err != nil {
		t.Fatalf("cut %d: the tail does not unpack: %v", cut, err)
	}
	resumed := newReviewRun()
	read := func(p int) (model.Message, error) {
		if p >= cut {
			return model.Message{}, fmt.Errorf("place %d past the cut", p)
		}
		l := list[p]
		return readAn(p).Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)])), nil
	}
	rs, err := ResumeStream(ctx, cfg, src.open, resumed.emit, &back, read)
	if err != nil {
		t.Fatalf("cut %d: resume: %v", cut, err)
	}
	for i, l := range list[cut:] {
		if err := rs.Write(restAn(cut+i).Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs.Close(); err != nil {
		t.Fatal(err)
	}
	combined := map[model.MessageID]model.Message{}
	for id, m := range first.out {
		combined[id] = m
	}
	for id, m := range resumed.out {
		combined[id] = m
	}
	return combined, &back, resumed
}

// reviewCompare fails unless got is want for every mail of list, and
// the resumed stream emitted the held and the new mail once each.
func reviewCompare(t *testing.T, label string, list []listed, cut int, tail *Tail, resumed reviewRun, got, want map[model.MessageID]model.Message) {
	t.Helper()
	wantTimes := map[model.MessageID]int{}
	for _, p := range tail.Held() {
		wantTimes[model.MessageID(list[p].id)]++
	}
	for _, l := range list[cut:] {
		wantTimes[model.MessageID(l.id)]++
	}
	if !reflect.DeepEqual(resumed.times, wantTimes) {
		t.Fatalf("%s, cut %d: resumed stream emitted %v, want %v", label, cut, resumed.times, wantTimes)
	}
	for _, l := range list {
		id := model.MessageID(l.id)
		if !reflect.DeepEqual(got[id], want[id]) {
			t.Fatalf("%s, cut %d: %s\nresumed:\n%s\nwhole listing:\n%s", label, cut, id, reviewBrief(got[id]), reviewBrief(want[id]))
		}
	}
}

// reviewBrief is what a reviewer looks at of an outcome.
func reviewBrief(m model.Message) string {
	s := fmt.Sprintf("verdict %+v passwordFor %v", m.Verdict, m.PasswordFor)
	for _, a := range m.Attachments {
		if a.Archive != nil {
			s += fmt.Sprintf("\n  %s decrypted %v source %q attempts %d notChecked %q", a.Filename, a.Archive.Decrypted,
				a.Archive.PasswordSource, a.Archive.PasswordAttempts, a.Archive.NotChecked)
		}
	}
	return s
}

// adversarialListing is a short listing an attacker shapes: one sender
// with many ZIP mails (pins full), another address of the same domain
// writing to a subset of the recipients (the recipient rule), a third
// domain; dates hours out of order, undated mail, a year ahead, a year
// back; Message-IDs reused across mails, In-Reply-To naming another ZIP
// mail, password mails naming an archive's stem, listed before their ZIP
// mail but dated after it.
func adversarialListing(t *testing.T, rng *rand.Rand, trial, n int, zips [][]byte) []listed {
	senders := []string{"yamada@partner.example", "yamada@partner.example", "it@partner.example", "x@evil.example"}
	tos := []string{"tanaka@sakura.example", "tanaka@sakura.example, boss@sakura.example", "boss@sakura.example"}
	list := make([]listed, n)
	for i := range list {
		id := fmt.Sprintf("t%d-%02d", trial, i)
		m := testMail{from: senders[rng.IntN(len(senders))], to: tos[rng.IntN(len(tos))], subject: "ご連絡",
			date: t0.Add(time.Duration(rng.IntN(8*60)-3*60) * time.Minute), msgID: "<" + id + "@x>", text: "よろしくお願いします"}
		switch rng.IntN(16) {
		case 0, 1:
			m.undated = true
		case 2:
			m.date = m.date.Add(365 * 24 * time.Hour)
		case 3:
			m.date = m.date.Add(-365 * 24 * time.Hour)
		}
		if i > 0 && rng.IntN(6) == 0 {
			m.msgID = list[rng.IntN(i)].m.msgID // a Message-ID reused
		}
		if i > 0 && rng.IntN(4) == 0 {
			m.inReplyTo = list[rng.IntN(i)].m.msgID // a thread claimed
		}
		switch k := rng.IntN(10); {
		case k < 4:
			z := rng.IntN(len(zips))
			m.subject, m.zipName, m.zip, m.text = "見積書", fmt.Sprintf("資料%d.zip", z), zips[z], "別途お送りします"
			if rng.IntN(6) == 0 {
				m.text = fmt.Sprintf("パスワード：Pw-%[1]d%[1]d%[1]d", z)
			}
		case k < 7:
			z := rng.IntN(len(zips))
			m.subject = []string{"【パスワード通知】", fmt.Sprintf("資料%d", z), "Re: 見積書"}[rng.IntN(3)]
			m.text = fmt.Sprintf("パスワード：Pw-%[1]d%[1]d%[1]d", z)
		case k < 9:
			m.subject, m.text = "【パスワード通知】", fmt.Sprintf("PW: decoy-%d", rng.IntN(10))
		}
		list[i] = listed{id, m}
	}
	return list
}

// TestReviewResumeAdversarialEveryPlace: adversarial short listings cut
// at every place; the resumed outcome must be the whole listing's, for
// a tail and its resume alike analysed (kept text; cached results) and
// for a tail taken by a cold scan (kept text) resumed from cached
// results with new mail analysed anew, as ui/app resumes.
func TestReviewResumeAdversarialEveryPlace(t *testing.T) {
	cfg := Config{Window: time.Hour, MaxCandidateMails: 2, Budget: time.Hour, Timeout: time.Hour}
	kept := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	var cached analyzer = cachedResults{kept}
	keptAt := func(int) analyzer { return kept }
	cachedAt := func(int) analyzer { return cached }
	var zips [][]byte
	for i := range 3 {
		zips = append(zips, makeZip(t, fmt.Sprintf("Pw-%d%d%d", i, i, i), yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")}))
	}
	rng := rand.New(rand.NewPCG(77, 1))
	cuts, refused, changed := 0, 0, 0
	trials := 50
	if testing.Short() {
		trials = 10
	}
	for trial := range trials {
		list := adversarialListing(t, rng, trial, 16, zips)
		wholeKept := reviewWhole(t, cfg, list, keptAt).out
		wholeCached := reviewWhole(t, cfg, list, cachedAt).out
		for cut := 1; cut < len(list); cut++ {
			cuts++
			mixedAt := func(i int) analyzer {
				if i < cut {
					return cached
				}
				return kept
			}
			wholeMixed := reviewWhole(t, cfg, list, mixedAt).out
			for _, v := range []struct {
				name              string
				first, read, rest func(int) analyzer
				want              map[model.MessageID]model.Message
			}{
				{"kept text", keptAt, keptAt, keptAt, wholeKept},
				{"cached results", cachedAt, cachedAt, cachedAt, wholeCached},
				{"cold tail, warm resume", keptAt, cachedAt, keptAt, wholeMixed},
			} {
				got, tail, resumed := reviewCut(t, cfg, list, cut, v.first, v.read, v.rest)
				if tail == nil {
					refused++
					continue
				}
				reviewCompare(t, fmt.Sprintf("trial %d, %s", trial, v.name), list, cut, tail, resumed, got, v.want)
				changed += len(tail.Held())
			}
		}
	}
	t.Logf("cuts %d (x3 variants), tails refused %d, held messages re-emitted %d", cuts, refused, changed)
	if changed == 0 {
		t.Fatal("no tail held a message: the test shows nothing")
	}
}

// TestReviewResumeAtPruneBoundaries cuts long random quarantines where
// the index prunes (every 256 places once 1024 are indexed), with the
// mail at the cut dated a year ahead (the latest date jumps), or
// undated, or an hour back, and compares with the whole listing.
func TestReviewResumeAtPruneBoundaries(t *testing.T) {
	if testing.Short() {
		t.Skip("long listings")
	}
	const n = 1600
	cfg := Config{Window: 20 * time.Minute, Budget: time.Hour, Timeout: time.Hour}
	kept := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	var cached analyzer = cachedResults{kept}
	base := randomQuarantine(t, 5, n)
	for _, cut := range []int{1279, 1280, 1281, 1535, 1536} {
		for _, twist := range []string{"year ahead", "undated", "hour back", "undated run"} {
			list := append([]listed(nil), base...)
			switch twist {
			case "year ahead":
				list[cut-1].m.date = list[cut-1].m.date.Add(365 * 24 * time.Hour)
			case "undated":
				list[cut-1].m.undated = true
			case "hour back":
				list[cut].m.date = list[cut].m.date.Add(-time.Hour)
			case "undated run":
				for i := cut - 30; i < cut+30 && i < n; i++ {
					list[i].m.undated = i%3 == 0
				}
			}
			mixedAt := func(i int) analyzer {
				if i < cut {
					return cached
				}
				return kept
			}
			want := reviewWhole(t, cfg, list[:min(n, cut+60)], mixedAt).out
			got, tail, resumed := reviewCut(t, cfg, list[:min(n, cut+60)], cut, func(int) analyzer { return kept }, func(int) analyzer { return cached }, func(int) analyzer { return kept })
			if tail == nil {
				t.Logf("cut %d, %s: no tail", cut, twist)
				continue
			}
			reviewCompare(t, twist, list[:min(n, cut+60)], cut, tail, resumed, got, want)
		}
	}
}

// TestReviewForgedTailsResumeAndClose resumes random tails that unpack
// (any pins between held messages, cycles, notes of any place) with
// messages read back as the tail says they are, writes more mail and
// closes: no panic, no hang, and each held message and each new one
// emitted once.
func TestReviewForgedTailsResumeAndClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	zip := makeZip(t, "Pw-1", yzip.StandardEncryption, zipFile{"a.txt", []byte("x")})
	src := memSource{}
	for i := range 40 {
		m := testMail{from: "a@p.example", to: "b@q.example", subject: "s", date: t0.Add(time.Duration(i) * time.Minute), msgID: fmt.Sprintf("<%d@p>", i), text: "PW: Pw-1"}
		if i%2 == 0 {
			m.zip, m.zipName = zip, "a.zip"
		}
		src[model.MessageID(fmt.Sprint(i))] = rawMail(m)
	}
	an := analysis.New(analysis.Config{})
	ctx := context.Background()
	resumed := 0
	for range 3000 {
		tl := Tail{seq: 30, latest: t0.Add(time.Duration(rng.IntN(60)) * time.Minute)}
		for p := range 30 {
			if rng.IntN(3) == 0 {
				tl.indexed = append(tl.indexed, p)
			}
		}
		for p := range 30 {
			if rng.IntN(4) == 0 {
				tl.held = append(tl.held, tailHeld{seq: p, zip: p%2 == 0})
			}
		}
		for i := range tl.held {
			if !tl.held[i].zip {
				continue
			}
			for _, j := range rng.Perm(len(tl.held))[:rng.IntN(len(tl.held)+1)] {
				if tl.held[j].seq != tl.held[i].seq {
					tl.held[i].pins = append(tl.held[i].pins, tl.held[j].seq)
				}
			}
			if rng.IntN(3) == 0 {
				tl.held[i].notes = append(tl.held[i].notes, note{seq: rng.IntN(30), link: model.PasswordLink{Message: "z", Filename: "a.zip"}})
			}
		}
		b, _ := tl.MarshalBinary()
		var back Tail
		if back.UnmarshalBinary(b) != nil {
			continue
		}
		times := map[model.MessageID]int{}
		read := func(p int) (model.Message, error) {
			return an.Analyze(ctx, model.MessageID(fmt.Sprint(p)), bytes.NewReader(src[model.MessageID(fmt.Sprint(p))])), nil
		}
		st, err := ResumeStream(ctx, Config{Window: time.Hour, Budget: time.Hour, Timeout: time.Hour}, src.open, func(m model.Message) error {
			times[m.ID]++
			return nil
		}, &back, read)
		if err != nil {
			continue
		}
		resumed++
		for p := 30; p < 40; p++ {
			if err := st.Write(an.Analyze(ctx, model.MessageID(fmt.Sprint(p)), bytes.NewReader(src[model.MessageID(fmt.Sprint(p))]))); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		for _, p := range back.Held() {
			if times[model.MessageID(fmt.Sprint(p))] != 1 {
				t.Fatalf("held %d emitted %d times (tail %+v)", p, times[model.MessageID(fmt.Sprint(p))], back)
			}
		}
		for p := 30; p < 40; p++ {
			if times[model.MessageID(fmt.Sprint(p))] != 1 {
				t.Fatalf("new %d emitted %d times", p, times[model.MessageID(fmt.Sprint(p))])
			}
		}
	}
	if resumed == 0 {
		t.Fatal("no forged tail resumed")
	}
	t.Logf("%d forged tails resumed", resumed)
}
