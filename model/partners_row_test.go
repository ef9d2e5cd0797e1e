package model

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestRowPartnersMatchMessagePartners checks that the partner inventory
// counted from rows (AddRow) is the one counted from the messages (Add),
// for generated messages under a policy with exceptions of every kind,
// with and without home domains and a period; and that the data leaves
// no count at zero.
func TestRowPartnersMatchMessagePartners(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 29))
	msgs := append(senderMessages(r, 3000), queryMessages()...)
	for i := range msgs {
		if r.IntN(10) == 0 {
			msgs[i].Date = time.Time{}
		}
	}
	p := kindPolicy(t)
	for _, opts := range []ImpactOptions{
		{Now: testNow},
		{Now: testNow, HomeDomains: []string{"home.example"}},
		{Now: testNow, Since: time.Date(2026, 11, 1, 0, 0, 2, 0, time.UTC), Until: time.Date(2026, 11, 1, 0, 0, 4, 0, time.UTC)},
	} {
		byMsg, byRow := NewImpactCounter(p, opts), NewImpactCounter(p, opts)
		for i := range msgs {
			row := NewRow(&msgs[i])
			byMsg.Add(&msgs[i])
			byRow.AddRow(&row)
		}
		want, got := byMsg.Partners(), byRow.Partners()
		if len(got) != len(want) {
			t.Fatalf("%+v: %d partners from rows, %d from messages", opts, len(got), len(want))
		}
		var sum Partner
		for i := range want {
			w, g := want[i], got[i]
			// A row keeps the instant of the date, not its zone.
			if !g.FirstSeen.Equal(w.FirstSeen) || !g.LastSeen.Equal(w.LastSeen) {
				t.Errorf("%s: seen %v–%v from rows, %v–%v from messages", w.Domain, g.FirstSeen, g.LastSeen, w.FirstSeen, w.LastSeen)
			}
			g.FirstSeen, g.LastSeen, w.FirstSeen, w.LastSeen = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%+v: partner from rows\n%+v\nfrom messages\n%+v", opts, g, w)
			}
			sum.Messages += w.Messages
			sum.Encrypted += w.Encrypted
			sum.WithPasswordMail += w.WithPasswordMail
			sum.Risky += w.Risky
			sum.DMARCFail += w.DMARCFail
			sum.Blocked += w.Blocked
			sum.Allowed += w.Allowed
			sum.RecipientCount += w.RecipientCount
			if w.DMARCTesting {
				sum.DMARCTesting = true
			}
			if w.Exception != nil {
				sum.Exception = w.Exception
			}
		}
		if sum.Messages == 0 || sum.Encrypted == 0 || sum.WithPasswordMail == 0 || sum.Risky == 0 || sum.DMARCFail == 0 ||
			sum.Blocked == 0 || sum.Allowed == 0 || sum.RecipientCount == 0 || !sum.DMARCTesting || sum.Exception == nil {
			t.Errorf("%+v: the data leaves some count at zero: %+v", opts, sum)
		}
	}
}
