package ppap

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestRepairAdversarial (security review): checkRepairs over listings with more domains
// (one local part under several domains, case-varied domains), coarse
// dates (many equal, many exactly a window apart), and small pin limits.
func TestRepairAdversarial(t *testing.T) {
	cfg, an, mix := shortSetup(t)
	mix.senders = []string{"yamada@partner.example", "yamada@PARTNER.example", "it@partner.example",
		"yamada@other.example", "sales@other.example", "yamada@third.example", "news@list.example"}
	mix.undatedOneIn = 1 << 30
	rng := rand.New(rand.NewPCG(77, 5))
	var tally repairTally
	for trial := range 100 {
		c := cfg
		c.MaxCandidateMails = 1 + trial%3
		list := mix.listing(rng, fmt.Sprintf("s%d", trial), 20)
		for i := range list {
			// Coarse dates: equal ones, and ones exactly a window apart.
			list[i].m.date = t0.Add(time.Duration(rng.IntN(5)) * time.Hour)
		}
		checkRepairs(t, rng, an, c, mix, list, &tally)
	}
	t.Logf("%+v", tally)
	if tally.repaired < 400 || tally.changed < 100 {
		t.Fatalf("the listings tested too little: %+v", tally)
	}
}

// TestInfluenceUnpackHostile (security review): damaged layout-2 bytes never panic, and
// what unpacks either repairs or refuses without panicking.
func TestInfluenceUnpackHostile(t *testing.T) {
	x := &Influence{n: 130, domains: make([]uint32, 130), closers: map[int]int{3: 9, 70: 129}, latest: 5}
	x.mark(3)
	x.mark(70)
	good, _ := x.MarshalBinary()
	rng := rand.New(rand.NewPCG(1, 2))
	ok := 0
	for range 200000 {
		b := append([]byte(nil), good...)
		for range 1 + rng.IntN(4) {
			switch rng.IntN(3) {
			case 0:
				b[rng.IntN(len(b))] = byte(rng.Uint32())
			case 1:
				b = b[:rng.IntN(len(b))]
			default:
				b = append(b, byte(rng.Uint32()))
			}
			if len(b) == 0 {
				break
			}
		}
		var u Influence
		if u.UnmarshalBinary(b) != nil {
			continue
		}
		ok++
		if u.n > 0 {
			_, _ = u.Repair([]int{rng.IntN(u.n)})
			_, _ = u.Without([]int{rng.IntN(u.n)})
		}
	}
	if ok == 0 {
		t.Fatal("no damaged record unpacked: the Repair and Without were never tried on one")
	}
}
