package ppap

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"mxaudit/model"
)

// writeTracked writes mails, analysed by an, to a Stream with cfg that
// tracks its Influence, and returns it, open, with what it emitted so
// far and the most entries its sender index held after a Write
// (pruning runs from 1,024 on).
func writeTracked(t *testing.T, an analyzer, cfg Config, mails []listed) (*Stream, map[model.MessageID]model.Message, int) {
	t.Helper()
	return writeTrackedBy(t, func(int) analyzer { return an }, cfg, mails)
}

// writeTrackedBy is writeTracked with the i-th mail analysed by anOf(i).
func writeTrackedBy(t *testing.T, anOf func(i int) analyzer, cfg Config, mails []listed) (*Stream, map[model.MessageID]model.Message, int) {
	t.Helper()
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
	indexed := 0
	for i, l := range mails {
		if err := st.Write(anOf(i).Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
			t.Fatal(err)
		}
		indexed = max(indexed, st.senders.n)
	}
	return st, out, indexed
}

// influenceRun pairs mails through a Stream that tracks its Influence,
// and returns what it emitted, the Influence, and the most entries its
// sender index held (writeTracked).
func influenceRun(t *testing.T, an analyzer, cfg Config, mails []listed) (map[model.MessageID]model.Message, *Influence, int) {
	t.Helper()
	st, out, indexed := writeTracked(t, an, cfg, mails)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	x := st.Influence()
	if x.Len() != len(mails) {
		t.Fatalf("the influence covers %d places of %d", x.Len(), len(mails))
	}
	return out, x, indexed
}

// removalTally counts what checkRemovals tried.
type removalTally struct {
	allowed, refused, positional int
	// changedByInfluential counts removals of influential messages that
	// did change another's outcome: the check can tell.
	changedByInfluential int
}

// checkRemovals pairs list, then list without each message the
// Influence lets go of, then without random sets of them, and fails the
// test when another message comes out otherwise. It also takes out
// influential messages one at a time (at most tryInfluential of them),
// counting those whose removal changed another message.
func checkRemovals(t *testing.T, rng *rand.Rand, an analyzer, cfg Config, list []listed, sets, tryInfluential int, tally *removalTally) {
	t.Helper()
	whole, x, _ := influenceRun(t, an, cfg, list)
	checkRemovalsBy(t, rng, an, cfg, list, whole, x, sets, tryInfluential, tally)
}

// checkRemovalsBy is checkRemovals with what pairing list emitted and
// the Influence to check, however it was made.
func checkRemovalsBy(t *testing.T, rng *rand.Rand, an analyzer, cfg Config, list []listed, whole map[model.MessageID]model.Message,
	x *Influence, sets, tryInfluential int, tally *removalTally) {
	t.Helper()
	var free, bound []int
	for i := range list {
		if x.Influential(i) {
			bound = append(bound, i)
		} else {
			free = append(free, i)
		}
	}
	if x.Positional() {
		tally.positional++
		return
	}
	without := func(drop map[int]bool) bool {
		var kept []listed
		for i, l := range list {
			if !drop[i] {
				kept = append(kept, l)
			}
		}
		got, _, _ := influenceRun(t, an, cfg, kept)
		for _, l := range kept {
			id := model.MessageID(l.id)
			if !reflect.DeepEqual(got[id], whole[id]) {
				return true
			}
		}
		return false
	}
	var singles []int
	if len(free) <= sets {
		singles = free
	} else {
		for _, k := range rng.Perm(len(free))[:sets] {
			singles = append(singles, free[k])
		}
	}
	for _, i := range singles {
		tally.allowed++
		if without(map[int]bool{i: true}) {
			t.Fatalf("taking out %s (no influence) changed another message", list[i].id)
		}
	}
	for range sets {
		drop := map[int]bool{}
		for _, i := range free {
			if rng.IntN(3) == 0 {
				drop[i] = true
			}
		}
		tally.allowed++
		if without(drop) {
			t.Fatalf("taking out %d messages without influence changed another message", len(drop))
		}
	}
	for k, i := range bound {
		if k == tryInfluential {
			break
		}
		tally.refused++
		if without(map[int]bool{i: true}) {
			tally.changedByInfluential++
		}
	}
}

// TestRemovingWithoutInfluence pairs short random listings of a few
// senders' ZIP mails, password mails, decoys and chat, with two more
// senders who send no archive, and takes messages out: each one the
// Influence lets go of, and sets of them. Every other message must come
// out as pairing the whole listing emitted it. Listings with undated
// mail test that a ZIP mail beside one refuses every removal; half of
// them are paired reading one candidate mail, so that most candidates
// are not read.
func TestRemovingWithoutInfluence(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	mix.senders = append(mix.senders, "news@list.example", "ops@sakura.example")
	rng := rand.New(rand.NewPCG(21, 18))
	var tally removalTally
	for trial := range 80 {
		m, c := mix, cfg
		if trial%5 != 0 {
			m.undatedOneIn = 1 << 30 // dated mail only
		}
		if trial%2 == 1 {
			c.MaxCandidateMails = 1 // candidates past those a pairing reads
		}
		list := m.listing(rng, fmt.Sprintf("t%d", trial), 14)
		checkRemovals(t, rng, an, c, list, 4, 4, &tally)
	}
	t.Logf("removals allowed %d, influential tried %d (of which changed another: %d), positional listings %d",
		tally.allowed, tally.refused, tally.changedByInfluential, tally.positional)
	if tally.allowed < 100 || tally.changedByInfluential == 0 || tally.positional == 0 {
		t.Fatalf("the listings tested too little: %+v", tally)
	}
}

// longListing draws n mails over hours, in time order give or take
// half an hour, as a Maildir lists a day's quarantine: a few senders'
// ZIP mails and password mails among many senders' chat, so that the
// sender index passes 1,024 entries and prunes.
func longListing(rng *rand.Rand, mix shortMix, prefix string, n, hours int) []listed {
	list := mix.listing(rng, prefix, n)
	span := time.Duration(hours) * time.Hour
	for i := range list {
		jitter := time.Duration(rng.IntN(60)-30) * time.Minute
		list[i].m.date = t0.Add(span*time.Duration(i)/time.Duration(n) + jitter)
		list[i].m.undated = false
		if rng.IntN(4) != 0 {
			// Chat from many senders of one domain: indexed, and no
			// candidate of the partners' ZIP mails.
			list[i].m.from = fmt.Sprintf("user%d@many.example", rng.IntN(300))
			list[i].m.zip, list[i].m.zipName = nil, ""
			list[i].m.subject, list[i].m.text = "ご連絡", "よろしくお願いします"
		}
	}
	return list
}

// TestRemovingWithoutInfluenceWhilePruning is TestRemovingWithoutInfluence
// over listings long enough for the sender index to prune, where removals
// move the places at which it prunes.
func TestRemovingWithoutInfluenceWhilePruning(t *testing.T) {
	if testing.Short() {
		t.Skip("pairs long listings a few times over")
	}
	cfg, an, mix := shortSetup(t)
	rng := rand.New(rand.NewPCG(22, 18))
	var tally removalTally
	for trial := range 2 {
		list := longListing(rng, mix, fmt.Sprintf("long%d", trial), 3000, 12)
		if _, _, indexed := influenceRun(t, an, cfg, list); indexed < 1024 {
			t.Fatalf("the sender index held at most %d entries: it never pruned", indexed)
		}
		checkRemovals(t, rng, an, cfg, list, 2, 0, &tally)
	}
	if tally.allowed != 8 {
		t.Fatalf("the long listings allowed %d removals, not 8: %+v", tally.allowed, tally)
	}
}

// TestInfluencePositional: a ZIP mail with an undated message in the
// listing, or a ZIP mail dated more than two windows before a message
// listed before it, makes the listing's outcome depend on places.
func TestInfluencePositional(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	zip := testMail{from: mix.senders[0], to: "tanaka@sakura.example", subject: "見積書", date: t0.Add(time.Hour),
		msgID: "<z@x>", zipName: "資料0.zip", zip: mix.zips[0], text: "別途お送りします"}
	chat := testMail{from: mix.senders[2], to: "tanaka@sakura.example", subject: "ご連絡", date: t0, msgID: "<c@x>", text: "よろしく"}
	undated := chat
	undated.undated, undated.msgID = true, "<u@x>"
	future := chat
	future.date, future.msgID = t0.Add(3*cfg.Window+2*time.Hour), "<f@x>"
	for _, c := range []struct {
		name       string
		list       []listed
		positional bool
	}{
		{"dated", []listed{{"c", chat}, {"z", zip}}, false},
		{"undated, no ZIP mail", []listed{{"c", chat}, {"u", undated}}, false},
		{"undated after a ZIP mail", []listed{{"z", zip}, {"u", undated}}, true},
		{"undated before a ZIP mail", []listed{{"u", undated}, {"z", zip}}, true},
		{"a ZIP mail late behind a future date", []listed{{"f", future}, {"z", zip}}, true},
		{"a future date after the ZIP mail", []listed{{"z", zip}, {"f", future}}, false},
	} {
		_, x, _ := influenceRun(t, an, cfg, c.list)
		if x.Positional() != c.positional {
			t.Errorf("%s: positional %v, want %v (%+v)", c.name, x.Positional(), c.positional, *x)
		}
	}
}
