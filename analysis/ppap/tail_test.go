package ppap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// TestResumedStreamPairsAsTheWholeListing pairs random quarantines (the
// index pruning several times, mail listed out of date order, one mail a
// year ahead) cut at several places: the listing up to the cut through a
// Stream whose Tail is taken (packed and unpacked) before its Close, then
// a Stream resumed from that Tail with the mail after the cut. Whatever
// the resumed stream emits must be what pairing the whole listing
// emits for those messages, and every other message what the first
// stream emitted: the resume is exact. The resumed stream emits each
// message the Tail held and each new one, once, and no other; and taking
// the Tail changes nothing the first stream emits.
func TestResumedStreamPairsAsTheWholeListing(t *testing.T) {
	const n = 2400
	cfg := Config{Window: 20 * time.Minute, Budget: time.Hour, Timeout: time.Hour}
	searched := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	resumedAny, heldAny := false, false
	for seed := uint64(1); seed <= 2; seed++ {
		mails := randomQuarantine(t, seed, n)
		for _, cut := range []int{n / 3, n/2 + 1, n - 40} {
			plain := streamList(t, searched, cfg, mails[:cut], nil).out
			for _, v := range []struct {
				name string
				an   analyzer
			}{{"kept text", searched}, {"cached results", cachedResults{searched}}} {
				first, tail, state := streamTail(t, v.an, cfg, mails[:cut])
				if tail == nil {
					t.Fatalf("seed %d, cut %d, %s: no tail, where every mail is dated", seed, cut, v.name)
				}
				if !reflect.DeepEqual(first, plain) {
					t.Fatalf("seed %d, cut %d, %s: taking the tail changed what the stream emitted", seed, cut, v.name)
				}
				heldAny = heldAny || len(tail.Held()) > 0
				for _, more := range []int{1, 9, 40} {
					whole := streamList(t, v.an, cfg, mails[:cut+more], nil).out
					resumed, times := resumeList(t, v.an, cfg, mails, tail, cut, cut+more, state)
					want := map[model.MessageID]int{}
					for _, p := range tail.Held() {
						want[model.MessageID(mails[p].id)]++
					}
					for _, l := range mails[cut : cut+more] {
						want[model.MessageID(l.id)]++
					}
					if !reflect.DeepEqual(times, want) {
						t.Errorf("seed %d, cut %d+%d, %s: the resumed stream emitted %v, want the held and the new mail once each (%v)",
							seed, cut, more, v.name, times, want)
					}
					for _, l := range mails[:cut+more] {
						id := model.MessageID(l.id)
						got, ok := resumed[id]
						if !ok {
							got = first[id]
						}
						if !reflect.DeepEqual(got, whole[id]) {
							t.Fatalf("seed %d, cut %d+%d, %s: %s resumed as\n%+v\nwhole listing:\n%+v", seed, cut, more, v.name, id, got, whole[id])
						}
					}
					for _, p := range tail.Held() {
						id := model.MessageID(mails[p].id)
						resumedAny = resumedAny || !reflect.DeepEqual(resumed[id], first[id])
					}
				}
			}
		}
	}
	if !heldAny || !resumedAny {
		t.Fatalf("no tail held a message (%v), or no held message changed (%v): the test shows less than it says", heldAny, resumedAny)
	}
}

// streamTail writes mails, analysed by an, to a Stream with cfg, takes
// its Tail, packs and unpacks it, then closes the Stream; it returns
// what the Stream emitted and the Tail (nil where the Stream had none:
// ErrNoTail).
func streamTail(t *testing.T, an analyzer, cfg Config, mails []listed) (map[model.MessageID]model.Message, *Tail, string) {
	t.Helper()
	st, out, _ := writeTracked(t, an, cfg, mails)
	tail, state := tailThenClose(t, st)
	if tail == nil {
		return out, nil, ""
	}
	packed, err := tail.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Tail
	if err := back.UnmarshalBinary(packed); err != nil {
		t.Fatalf("the tail does not unpack: %v", err)
	}
	if !back.latest.Equal(tail.latest) {
		t.Fatalf("the tail's latest date unpacks as %v, not %v", back.latest, tail.latest)
	}
	back.latest = tail.latest // the same instant; the zone is not kept
	if !reflect.DeepEqual(&back, tail) {
		t.Fatalf("the tail unpacks as %+v, not %+v", back, *tail)
	}
	return out, &back, state
}

// tailThenClose takes st's Tail (nil for ErrNoTail) and its state then
// (stateOf), and closes it.
func tailThenClose(t *testing.T, st *Stream) (*Tail, string) {
	t.Helper()
	tail, err := st.Tail()
	if err != nil && !errors.Is(err, ErrNoTail) {
		t.Fatal(err)
	}
	state := stateOf(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return tail, state
}

// stateOf spells out what a Stream's decisions depend on: the next
// place, the latest date, the sender index's live entries, the held
// messages (whether a ZIP mail, its pairing started, the ZIP mails
// pinning it, its pins with their scores, its notes), and the waiting
// ZIP mails.
func stateOf(s *Stream) string {
	var b strings.Builder
	fmt.Fprintf(&b, "next %d, latest %v, indexed %d:", s.seq, s.latest.UTC(), s.senders.n)
	var live []int
	for _, r := range s.senders.byDate {
		live = append(live, r.Seq)
	}
	for _, r := range s.senders.undated {
		live = append(live, r.Seq)
	}
	slices.Sort(live)
	fmt.Fprintln(&b, live)
	var held []*heldMsg
	for _, list := range s.heldByID {
		held = append(held, list...)
	}
	slices.SortFunc(held, func(a, b *heldMsg) int { return a.ref.Seq - b.ref.Seq })
	for _, h := range held {
		fmt.Fprintf(&b, "held %d %s zip %v pairing %v pinned %d, pins", h.ref.Seq, h.ref.ID, h.zip, h.pairing, h.pinned)
		for _, p := range h.pins {
			fmt.Fprintf(&b, " %d:%d", p.h.ref.Seq, p.score)
		}
		fmt.Fprintf(&b, ", notes %v, found %v\n", h.notes, h.ref.found)
	}
	for _, z := range s.waits.all() {
		fmt.Fprintf(&b, "waits %d\n", z.ref.Seq)
	}
	return b.String()
}

// resumeList resumes a Stream with cfg from tail, reading the listing's
// messages back from mails as an analyses them, writes mails[from:to],
// and closes it; it returns what it emitted, and how many times each.
// It fails the test unless the resumed stream's state is state (stateOf)
// before the first Write.
func resumeList(t *testing.T, an analyzer, cfg Config, mails []listed, tail *Tail, from, to int, state string) (map[model.MessageID]model.Message, map[model.MessageID]int) {
	t.Helper()
	st, out, times := resumeWritten(t, an, cfg, mails, tail, from, to, func(st *Stream) {
		if got := stateOf(st); got != state {
			t.Fatalf("resumed as\n%s\nnot as the stream the tail was taken from:\n%s", got, state)
		}
	})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return out, times
}

// resumeWritten resumes a Stream with cfg from tail, reading the
// listing's messages back from mails as an analyses them, calls resumed
// with it (when set), and writes mails[from:to]; it returns the Stream,
// still open, what it emitted so far, and how many times each.
func resumeWritten(t *testing.T, an analyzer, cfg Config, mails []listed, tail *Tail, from, to int,
	resumed func(*Stream)) (*Stream, map[model.MessageID]model.Message, map[model.MessageID]int) {
	t.Helper()
	ctx := context.Background()
	src := memSource{}
	for _, l := range mails[:to] {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	analyse := func(l listed) model.Message {
		return an.Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))
	}
	out, times := map[model.MessageID]model.Message{}, map[model.MessageID]int{}
	read := func(seq int) (model.Message, error) {
		if seq >= from {
			return model.Message{}, fmt.Errorf("place %d is not before the tail", seq)
		}
		return analyse(mails[seq]), nil
	}
	st, err := ResumeStream(ctx, cfg, src.open, func(m model.Message) error {
		out[m.ID] = m
		times[m.ID]++
		return nil
	}, tail, read)
	if err != nil {
		t.Fatal(err)
	}
	if resumed != nil {
		resumed(st)
	}
	for _, l := range mails[from:to] {
		if err := st.Write(analyse(l)); err != nil {
			t.Fatal(err)
		}
	}
	return st, out, times
}

// shortSetup is the pairing settings, analyzer and mix of the short
// random listings cut at every place (TestResumedAtEveryPlace): three
// senders' mail over five hours, a window of two, pins full at three.
func shortSetup(t testing.TB) (Config, analyzer, shortMix) {
	cfg := Config{Window: 2 * time.Hour, MaxCandidateMails: 3, Budget: time.Hour, Timeout: time.Hour}
	an := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	mix := shortMix{senders: []string{"yamada@partner.example", "it@partner.example", "sales@other.example"},
		zips: shortZips(t, 3), hours: 5, undatedOneIn: 12, ownPasswordOneIn: 5, decoys: true}
	return cfg, an, mix
}

// TestResumedAtEveryPlace pairs short random listings of a few senders'
// ZIP mails (several per window, one in five with its password in its
// own text), password mails, mail with password-like lines, and chat,
// some undated, through a Stream, and again cut at every place: the
// listing up to the cut, its Tail, and a stream resumed from it with the
// rest. Each message must come out of the two as pairing the whole
// listing emits it. Short listings cut everywhere meet what a long one
// rarely does at its end: a password mail a closed ZIP mail noted and a
// waiting one still pins, a waiting ZIP mail whose pins are full when a
// better candidate comes, windows closed by listing distance.
func TestResumedAtEveryPlace(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	rng := rand.New(rand.NewPCG(9, 18))
	noted, changed, refused, cuts := 0, 0, 0, 0
	for trial := range 40 {
		list := mix.listing(rng, fmt.Sprintf("t%d", trial), 14)
		whole := streamList(t, an, cfg, list, nil).out
		cuts += len(list) - 1
		for cut := 1; cut < len(list); cut++ {
			first, tail, state := streamTail(t, an, cfg, list[:cut])
			if tail == nil {
				refused++ // an undated ZIP mail paired, still pinned by another
				continue
			}
			resumed, _ := resumeList(t, an, cfg, list, tail, cut, len(list), state)
			for _, p := range tail.Held() {
				id := model.MessageID(list[p].id)
				if !reflect.DeepEqual(resumed[id], first[id]) {
					changed++
				}
			}
			for _, l := range list {
				id := model.MessageID(l.id)
				got, ok := resumed[id]
				if !ok {
					got = first[id]
				}
				if !reflect.DeepEqual(got, whole[id]) {
					t.Fatalf("trial %d, cut %d: %s resumed as\n%+v\nwhole listing:\n%+v", trial, cut, id, got, whole[id])
				}
			}
			for _, h := range tail.held {
				if len(h.notes) > 0 {
					noted++
				}
			}
		}
	}
	if refused > cuts/10 {
		t.Fatalf("%d of %d tails refused", refused, cuts)
	}
	if noted == 0 || changed == 0 {
		t.Fatalf("no tail held a noted message (%d), or no held message changed (%d): the test shows less than it says", noted, changed)
	}
	t.Logf("held messages noted at a cut: %d; held messages the rest changed: %d; tails refused: %d of %d", noted, changed, refused, cuts)
}

// shortMix makes the short random listings of the tests that cut them at
// every place: mails from a few senders dated over some hours (some
// undated), a third ZIP mails (some with the password in their own
// text), and the rest password mails, or, with decoys, half of those
// chat with a password-like line.
type shortMix struct {
	senders                        []string
	zips                           [][]byte // the archives, opened by Pw-000, Pw-111, …
	hours                          int
	undatedOneIn, ownPasswordOneIn int
	decoys                         bool
}

// shortZips makes n archives, the i-th opened by "Pw-iii", once: each
// takes a key derivation to open.
func shortZips(t testing.TB, n int) [][]byte {
	var zips [][]byte
	for i := range n {
		zips = append(zips, makeZip(t, fmt.Sprintf("Pw-%d%d%d", i, i, i), yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")}))
	}
	return zips
}

// listing draws n mails, named prefix-00, prefix-01, ….
func (x shortMix) listing(rng *rand.Rand, prefix string, n int) []listed {
	list := make([]listed, n)
	password := func(z int) string { return fmt.Sprintf("パスワード：Pw-%[1]d%[1]d%[1]d", z) }
	for i := range list {
		id := fmt.Sprintf("%s-%02d", prefix, i)
		m := testMail{from: x.senders[rng.IntN(len(x.senders))], to: "tanaka@sakura.example", subject: "ご連絡",
			date: t0.Add(time.Duration(rng.IntN(x.hours*60)) * time.Minute), msgID: "<" + id + "@x>", text: "よろしくお願いします"}
		m.undated = rng.IntN(x.undatedOneIn) == 0
		switch k := rng.IntN(3); {
		case k == 0:
			z := rng.IntN(len(x.zips))
			m.subject, m.zipName, m.zip, m.text = "見積書", fmt.Sprintf("資料%d.zip", z), x.zips[z], "別途お送りします"
			if rng.IntN(x.ownPasswordOneIn) == 0 {
				m.text = password(z)
			}
		case !x.decoys || rng.IntN(2) == 0:
			m.subject, m.text = "【パスワード通知】", password(rng.IntN(len(x.zips)))
		default:
			m.text = fmt.Sprintf("PW: decoy-%d", rng.IntN(10))
		}
		list[i] = listed{id, m}
	}
	return list
}
