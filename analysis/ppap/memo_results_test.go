package ppap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// mapResults is a Results in memory, counting its hits.
type mapResults struct {
	mu   sync.Mutex
	m    map[string]model.Message
	hits int
}

func (r *mapResults) Get(key string) (model.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.m[key]
	if ok {
		r.hits++
	}
	return m, ok
}

func (r *mapResults) Put(key string, m model.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[key] = m
	return nil
}

// TestRememberedPairings pairs the demo quarantine twice through one
// Results: the second time every pairing comes from it, the emitted
// messages are the same (archives, verdicts, password-mail notes), and
// the pairing still matches the generator's ground truth. A changed
// candidate mail (another digest) makes the ZIP mail pair afresh.
func TestRememberedPairings(t *testing.T) {
	samples := demo.Samples(demo.Options{})
	results := &mapResults{m: map[string]model.Message{}}
	cfg := Config{Results: results, ResultsSalt: "test"}
	first, st := pairSamples(t, samples, cfg)
	if st.Encrypted == 0 || len(results.m) == 0 {
		t.Fatalf("nothing paired or remembered: %+v, %d remembered", st, len(results.m))
	}
	second, _ := pairSamples(t, samples, cfg)
	if results.hits != len(results.m) {
		t.Errorf("second pass: %d of %d remembered pairings used", results.hits, len(results.m))
	}
	for id, m := range first {
		w := second[id]
		if !reflect.DeepEqual(m.Attachments, w.Attachments) || !reflect.DeepEqual(m.Verdict, w.Verdict) ||
			!reflect.DeepEqual(m.PasswordFor, w.PasswordFor) {
			t.Errorf("%s: remembered pairing differs:\n%+v\n%+v", id, w.Verdict, m.Verdict)
		}
	}
	if c := checkPairing(samples, second); len(c.problems) > 0 {
		t.Errorf("remembered pairings against the generator: %v", c.problems)
	}

	// The key follows the mails: another digest for a candidate, another key.
	digest := func(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
	zip := &model.Message{ID: "z", SHA256: "aa"}
	cands := []*Ref{{ID: "p", Digest: digest("b"), Seq: 2}, {ID: "q", Digest: digest("c"), Seq: 1}}
	k1, ok1 := resultKey("s", zip, cands)
	k2, _ := resultKey("s", zip, []*Ref{cands[1], cands[0]})
	k3, _ := resultKey("s", zip, []*Ref{{ID: "p", Digest: digest("d"), Seq: 2}, cands[1]})
	k4, _ := resultKey("s", zip, cands[:1])
	k5, _ := resultKey("t", zip, cands)
	_, ok6 := resultKey("s", zip, []*Ref{{ID: "p", Seq: 2}})
	if !ok1 || k1 != k2 || k1 == k3 || k1 == k4 || k1 == k5 || ok6 {
		t.Errorf("keys: %v %q %q %q %q %q %v", ok1, k1, k2, k3, k4, k5, ok6)
	}

	// A Ref holds the message's digest as its bytes, or none at all.
	d := digest("p")
	for _, tc := range []struct {
		sha256 string
		want   [sha256.Size]byte
	}{
		{hex.EncodeToString(d[:]), d},
		{"", [sha256.Size]byte{}},
		{hex.EncodeToString(d[:31]), [sha256.Size]byte{}},
		{strings.Repeat("z", 2*sha256.Size), [sha256.Size]byte{}},
	} {
		if got := RefOf(&model.Message{ID: "p", SHA256: tc.sha256}, 0).Digest; got != tc.want {
			t.Errorf("digest of %q: %x, want %x", tc.sha256, got, tc.want)
		}
	}
}

// TestRememberedPairingCreditingMailWithoutPassword checks that a
// remembered pairing naming as its password mail one whose kept text
// holds no password is not taken (a Stream did not hold that mail for
// its note): the mail is paired again, and every archive's password mail
// carries its note.
func TestRememberedPairingCreditingMailWithoutPassword(t *testing.T) {
	zip := holdZipMail(t)
	sender, to := holdSender, holdRecipient
	mails := map[string]testMail{
		"zip":  zip,
		"chat": {from: sender, to: to, subject: "Re: 見積書", date: t0.Add(time.Minute), msgID: "<c@p>", inReplyTo: "<zip@p>", text: "ご確認ください。"},
		"pw":   {from: sender, to: to, subject: "【パスワード通知】見積書", date: t0.Add(2 * time.Minute), msgID: "<pw@p>", text: "パスワード：Hold-1234"},
	}
	order := []string{"zip", "chat", "pw"}
	results := &mapResults{m: map[string]model.Message{}}
	cfg := Config{Results: results, ResultsSalt: "test"}
	an := analysis.New(analysis.Config{}).WithPairingText(cfg.TextBytes(), HoldsPassword)
	if _, out := streamMailsWith(t, an, cfg, mails, order, nil); out["zip"].Attachments[0].Archive.PasswordSource != "pw" || len(results.m) != 1 {
		t.Fatalf("first scan: source %q, %d remembered", out["zip"].Attachments[0].Archive.PasswordSource, len(results.m))
	}
	for key, r := range results.m { // as another version of the extraction might have found it
		r.Attachments = slices.Clone(r.Attachments)
		arc := *r.Attachments[0].Archive
		arc.PasswordSource = "chat"
		r.Attachments[0].Archive = &arc
		results.m[key] = r
	}
	_, out := streamMailsWith(t, an, cfg, mails, order, nil)
	if src := out["zip"].Attachments[0].Archive.PasswordSource; src != "pw" {
		t.Errorf("the remembered pairing crediting chat was taken: source %q", src)
	}
	for _, id := range order {
		m := out[model.MessageID(id)]
		for _, i := range encryptedArchives(&m) {
			if a := m.Attachments[i].Archive; a.Decrypted {
				if l := out[a.PasswordSource].PasswordFor; len(l) != 1 || l[0].Message != m.ID {
					t.Errorf("%s opened by %s, whose notes are %v", id, a.PasswordSource, l)
				}
			}
		}
	}
}

// forgetResults is a mapResults that counts the pairings it was told
// were not remembered (Forgetter).
type forgetResults struct {
	mapResults
	forgot int
}

func (r *forgetResults) Forgot() {
	r.mu.Lock()
	r.forgot++
	r.mu.Unlock()
}

// TestPairingMissingACandidateIsNotRemembered: a pairing that could not
// read a candidate mail (gone, or out of file descriptors for a moment)
// may have missed the password, and is not remembered: the Results hear
// it was not (Forgot), so that no scan snapshot freezes it (the security
// review). The same pairings with every mail readable are all remembered.
func TestPairingMissingACandidateIsNotRemembered(t *testing.T) {
	samples := demo.Samples(demo.Options{})
	src := memSource{}
	for _, s := range samples {
		src[model.MessageID(s.Name)] = s.Raw
	}
	an := analysis.New(analysis.Config{})
	run := func(open Opener) (*forgetResults, map[model.MessageID]model.Message) {
		results := &forgetResults{mapResults: mapResults{m: map[string]model.Message{}}}
		out := map[model.MessageID]model.Message{}
		st := NewStream(t.Context(), Config{Results: results, ResultsSalt: "test"}, open, func(m model.Message) error {
			out[m.ID] = m
			return nil
		})
		for _, s := range samples {
			if err := st.Write(an.Analyze(t.Context(), model.MessageID(s.Name), bytes.NewReader(s.Raw))); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		return results, out
	}
	all, paired := run(src.open)
	if all.forgot != 0 || len(all.m) == 0 {
		t.Fatalf("every mail readable: %d pairings not remembered, %d remembered", all.forgot, len(all.m))
	}
	openedByMail := 0
	for _, m := range paired {
		for _, a := range m.Attachments {
			if a.Archive != nil && a.Archive.PasswordSource != "" && a.Archive.PasswordSource != m.ID {
				openedByMail++
			}
		}
	}
	// Only the ZIP mails can be read: every candidate mail fails.
	zips := map[model.MessageID]bool{}
	for id, m := range paired {
		zips[id] = NeedsPairing(&m)
	}
	unread, _ := run(func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
		if !zips[id] {
			return nil, errors.New("too many open files")
		}
		return src.open(ctx, id)
	})
	if openedByMail == 0 || unread.forgot < openedByMail {
		t.Fatalf("%d archives opened by a password mail, %d pairings told as not remembered when no candidate could be read",
			openedByMail, unread.forgot)
	}
}
