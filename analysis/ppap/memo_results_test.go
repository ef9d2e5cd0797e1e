package ppap

import (
	"reflect"
	"sync"
	"testing"

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
	zip := &model.Message{ID: "z", SHA256: "aa"}
	cands := []*Ref{{ID: "p", SHA256: "bb", Seq: 2}, {ID: "q", SHA256: "cc", Seq: 1}}
	k1, ok1 := resultKey("s", zip, cands)
	k2, _ := resultKey("s", zip, []*Ref{cands[1], cands[0]})
	k3, _ := resultKey("s", zip, []*Ref{{ID: "p", SHA256: "bd", Seq: 2}, cands[1]})
	k4, _ := resultKey("s", zip, cands[:1])
	k5, _ := resultKey("t", zip, cands)
	_, ok6 := resultKey("s", zip, []*Ref{{ID: "p", Seq: 2}})
	if !ok1 || k1 != k2 || k1 == k3 || k1 == k4 || k1 == k5 || ok6 {
		t.Errorf("keys: %v %q %q %q %q %q %v", ok1, k1, k2, k3, k4, k5, ok6)
	}
}
