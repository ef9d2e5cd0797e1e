package ppap

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// randomQuarantine lists n random mails from five senders every two
// seconds or so: ZIP mails (ZipCrypto, a fifth with the password in their
// own text), their password mails listed up to 30 mails later (a tenth
// dated before their ZIP mail), decoys with a password-like line, chat; a
// hundredth dated hours early, and one in the middle a year ahead.
func randomQuarantine(t testing.TB, seed uint64, n int) []listed {
	r := rand.New(rand.NewPCG(seed, 7))
	senders := []string{"a@partner.example", "b@partner.example", "c@partner.example", "d@partner.example", "e@other.example"}
	const to = "buyer@sakura.example"
	var out []listed
	type later struct {
		at int
		l  listed
	}
	var waiting []later
	zips := map[string][]byte{}
	for i := 0; len(out) < n; i++ {
		kept := waiting[:0]
		for _, w := range waiting {
			if w.at <= i {
				out = append(out, w.l)
			} else {
				kept = append(kept, w)
			}
		}
		waiting = kept
		date := t0.Add(time.Duration(i)*2*time.Second + time.Duration(r.IntN(600))*time.Second)
		if r.IntN(100) == 0 {
			date = date.Add(-time.Duration(1+r.IntN(4)) * time.Hour)
		}
		if i == n/2 {
			date = date.Add(365 * 24 * time.Hour)
		}
		s := senders[r.IntN(len(senders))]
		id := fmt.Sprintf("m%05d", i)
		switch k := r.IntN(100); {
		case k < 6:
			pw := fmt.Sprintf("Pw-%04d", r.IntN(10000))
			zb, ok := zips[pw]
			if !ok {
				zb = makeZip(t, pw, yzip.StandardEncryption, zipFile{"a.txt", []byte("hello " + pw)})
				zips[pw] = zb
			}
			text := "別途お送りします"
			if r.IntN(5) == 0 {
				text = "パスワード：" + pw
			}
			out = append(out, listed{id, testMail{from: s, to: to, subject: "資料" + id, date: date, msgID: "<" + id + "@p>", text: text, zipName: "doc" + id + ".zip", zip: zb}})
			if r.IntN(4) != 0 {
				pid := id + "pw"
				pd := date.Add(time.Duration(r.IntN(50)) * time.Minute)
				if r.IntN(10) == 0 {
					pd = date.Add(-time.Minute)
				}
				waiting = append(waiting, later{i + 1 + r.IntN(30), listed{pid, testMail{from: s, to: to, subject: "【パスワード通知】資料" + id, date: pd,
					msgID: "<" + pid + "@p>", inReplyTo: "<" + id + "@p>", text: "パスワード：" + pw}}})
			}
		case k < 15:
			out = append(out, listed{id, testMail{from: s, to: to, subject: "Re: 資料", date: date, msgID: "<" + id + "@p>", text: fmt.Sprintf("PW: decoy-%d", r.IntN(100))}})
		default:
			out = append(out, listed{id, testMail{from: s, to: to, subject: "hello", date: date, msgID: "<" + id + "@p>", text: "ご確認ください。"}})
		}
	}
	return out
}

// TestStreamFreshAndCachedResultsAgree checks, over random quarantines
// that the index prunes several times, that a Stream pairs alike whether
// it reads password mails back, takes the text the analysis kept, or
// takes a cached result's PasswordsInText with no text at all, and with
// pairings remembered or not; and that it emits every message once.
func TestStreamFreshAndCachedResultsAgree(t *testing.T) {
	const n = 5000
	// A budget and a timeout no load reaches: a pairing cut by its clock
	// in one run and not in another (under a loaded test machine) would
	// differ for that reason alone, which is not what this test compares.
	cfg := Config{Window: time.Hour, Budget: time.Hour, Timeout: time.Hour}
	base := analysis.New(analysis.Config{})
	searched := base.WithPairingText(cfg.TextBytes(), HoldsPassword)
	for seed := uint64(1); seed <= 3; seed++ {
		mails := randomQuarantine(t, seed, n)
		ref := streamList(t, base, cfg, mails, nil)
		want := ref.out
		if ref.indexed >= n {
			t.Fatalf("seed %d: the index was never pruned: the test shows less than it says", seed)
		}
		results := &mapResults{m: map[string]model.Message{}}
		remembering := cfg
		remembering.Results, remembering.ResultsSalt = results, "agree"
		for _, v := range []struct {
			name string
			an   analyzer
			cfg  Config
		}{
			{"kept text", searched, cfg},
			{"cached results", cachedResults{searched}, cfg},
			{"kept text, remembering", searched, remembering},
			{"cached results, remembered", cachedResults{searched}, remembering},
		} {
			run := streamList(t, v.an, v.cfg, mails, nil)
			got, emitted := run.out, run.timesEmitted()
			if len(emitted) != len(mails) {
				t.Errorf("seed %d, %s: emitted %d messages of %d", seed, v.name, len(emitted), len(mails))
			}
			var ids []string
			for id, c := range emitted {
				if c != 1 {
					t.Errorf("seed %d, %s: %s emitted %d times", seed, v.name, id, c)
				}
				ids = append(ids, string(id))
			}
			slices.Sort(ids)
			differ := 0
			for _, id := range ids {
				w, g := pairedJSON(want[model.MessageID(id)]), pairedJSON(got[model.MessageID(id)])
				if !bytes.Equal(w, g) {
					if differ++; differ <= 3 {
						t.Errorf("seed %d, %s: %s differs:\n%s\nwant\n%s", seed, v.name, id, g, w)
					}
				}
			}
			if differ > 0 {
				t.Errorf("seed %d, %s: %d messages differ", seed, v.name, differ)
			}
		}
		if results.hits == 0 {
			t.Errorf("seed %d: no remembered pairing was used (%d remembered)", seed, len(results.m))
		}
	}
}
