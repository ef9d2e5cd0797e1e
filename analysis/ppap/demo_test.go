package ppap

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// memSource serves samples by name, as a source's Open would.
type memSource map[model.MessageID][]byte

func (s memSource) open(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
	raw, ok := s[id]
	if !ok {
		return nil, fmt.Errorf("no message %s", id)
	}
	return io.NopCloser(bytes.NewReader(raw)), nil
}

// pairSamples analyses samples in order, streams them through a Stream
// and returns the emitted messages by ID, and the stream's stats.
func pairSamples(t testing.TB, samples []demo.Sample, cfg Config) (map[model.MessageID]model.Message, Stats) {
	t.Helper()
	src := memSource{}
	for _, s := range samples {
		src[model.MessageID(s.Name)] = s.Raw
	}
	an := analysis.New(analysis.Config{})
	out := map[model.MessageID]model.Message{}
	ctx := context.Background()
	st := NewStream(ctx, cfg, src.open, func(m model.Message) error {
		if _, dup := out[m.ID]; dup {
			t.Errorf("%s emitted twice", m.ID)
		}
		out[m.ID] = m
		return nil
	})
	for _, s := range samples {
		m := an.Analyze(ctx, model.MessageID(s.Name), bytes.NewReader(s.Raw))
		if err := st.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(samples) {
		t.Errorf("%d messages emitted, %d written", len(out), len(samples))
	}
	return out, st.Stats()
}

// pairingErrors checks every sample's pairing against the generator's
// ground truth and returns the problems, and counts.
type pairingCheck struct {
	pairs, opened, wrong int
	problems             []string
}

func checkPairing(samples []demo.Sample, out map[model.MessageID]model.Message) pairingCheck {
	var c pairingCheck
	bad := func(format string, args ...any) { c.problems = append(c.problems, fmt.Sprintf(format, args...)) }
	byName := map[string]demo.Sample{}
	for _, s := range samples {
		byName[s.Name] = s
	}
	for _, s := range samples {
		m := out[model.MessageID(s.Name)]
		for _, l := range m.PasswordFor {
			if string(l.Message) != s.Want.PasswordFor || byName[s.Want.PasswordFor].Want.PasswordMail != s.Name {
				c.wrong++
				bad("%s (%s) marked as the password mail of %s", s.Name, s.Want.Scenario, l.Message)
			}
		}
		if s.Want.PasswordMail != "" && len(out[model.MessageID(s.Want.PasswordMail)].PasswordFor) == 0 {
			bad("%s: its password mail %s carries no note", s.Name, s.Want.PasswordMail)
		}
		if s.Want.Password == "" {
			continue
		}
		js, _ := json.Marshal(m)
		if bytes.Contains(js, []byte(s.Want.Password)) {
			bad("%s: the password appears in the JSON", s.Name)
		}
		for i := range m.Attachments {
			arc := m.Attachments[i].Archive
			if arc == nil || !arc.Encrypted {
				continue
			}
			if s.Want.PasswordMail == "" {
				if arc.Decrypted {
					c.wrong++
					bad("%s (%s): opened with a password from %s, but no right password was sent", s.Name, s.Want.Scenario, arc.PasswordSource)
				}
				if m.Verdict.Attachment != model.AttachmentEncrypted {
					bad("%s: verdict %s, want encrypted", s.Name, m.Verdict.Attachment)
				}
				continue
			}
			c.pairs++
			switch {
			case !arc.Decrypted:
				bad("%s (%s): not opened (%d tried); reasons %q", s.Name, s.Want.Scenario, arc.PasswordAttempts, m.Verdict.Reasons)
			case string(arc.PasswordSource) != s.Want.PasswordMail:
				c.wrong++
				bad("%s: password source %s, want %s", s.Name, arc.PasswordSource, s.Want.PasswordMail)
			default:
				c.opened++
			}
			if f := fileExpect(s, i); f != nil && f.Archive != nil && arc.Decrypted {
				have := arc.AllRisks()
				for _, r := range f.Archive.InnerRisks {
					if !slices.Contains(have, r) {
						bad("%s: inner risk %s not found (have %v)", s.Name, r, have)
					}
				}
			}
		}
	}
	return c
}

func fileExpect(s demo.Sample, i int) *demo.File {
	if i < len(s.Want.Files) {
		return &s.Want.Files[i]
	}
	return nil
}

func TestDemoPairing(t *testing.T) {
	samples := demo.Samples(demo.Options{})
	out, stats := pairSamples(t, samples, Config{})
	c := checkPairing(samples, out)
	for _, p := range c.problems {
		t.Error(p)
	}
	if c.pairs < 12 || c.opened != c.pairs || c.wrong != 0 {
		t.Errorf("pairs %d, opened %d, wrong %d", c.pairs, c.opened, c.wrong)
	}
	t.Logf("demo: %d encrypted archives, %d opened; %d pairs with a right password, %d opened, %d wrong; p50 %v p99 %v",
		stats.Encrypted, stats.Opened, c.pairs, c.opened, c.wrong, percentile(stats.PairTimes, 50), percentile(stats.PairTimes, 99))
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

// TestBulkPairing pairs a generated bulk quarantine: every ZIP mail whose
// password notification was generated is opened with it, no other is,
// and no message is wrongly marked.
func TestBulkPairing(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	if v, err := strconv.Atoi(os.Getenv("MXAUDIT_PPAP_BULK_N")); err == nil && v > 0 {
		n = v // for the figures in the report
	}
	var samples []demo.Sample
	if err := demo.Bulk(n, 7, func(s demo.Sample) error {
		samples = append(samples, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out, stats := pairSamples(t, samples, Config{})
	c := checkPairing(samples, out)
	for i, p := range c.problems {
		if i < 20 {
			t.Error(p)
		}
	}
	if c.pairs == 0 || c.opened != c.pairs || c.wrong != 0 {
		t.Errorf("pairs %d, opened %d, wrong %d", c.pairs, c.opened, c.wrong)
	}
	t.Logf("bulk %d messages: %d encrypted archives, %d opened; %d with a password mail, %d opened, %d wrong; per archive p50 %v p99 %v",
		n, stats.Encrypted, stats.Opened, c.pairs, c.opened, c.wrong, percentile(stats.PairTimes, 50), percentile(stats.PairTimes, 99))
}
