package demo

import (
	"bytes"
	"errors"
	"testing"

	"mxaudit/model"
)

func TestBulkMix(t *testing.T) {
	const n = 2000
	domains := map[string]int{}
	withFiles, encrypted, notices, fails := 0, 0, 0, 0
	var prev string
	err := Bulk(n, 1, func(s Sample) error {
		if s.Name == prev {
			t.Fatalf("duplicate name %s", s.Name)
		}
		prev = s.Name
		if _, _, err := parseAll(s.Raw); err != nil {
			t.Fatalf("%s (%s): %v", s.Name, s.Want.Scenario, err)
		}
		domains[s.Want.FromDomain]++
		if len(s.Want.Files) > 0 {
			withFiles++
		}
		if s.Want.Attachment == model.AttachmentEncrypted {
			encrypted++
		}
		if s.Want.PasswordFor != "" {
			notices++
		}
		if s.Want.Auth.Verdict == model.AuthFail {
			fails++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	share := float64(withFiles) / n
	if share < 0.27 || share > 0.33 {
		t.Errorf("%.1f%% of messages carry files, want about 30%%", 100*share)
	}
	if len(domains) < 45 || len(domains) > 50 {
		t.Errorf("%d sender domains, want about 50", len(domains))
	}
	if encrypted < n/10 || notices < n/40 || fails < n/20 {
		t.Errorf("encrypted %d, password notices %d, auth failures %d: mix too thin", encrypted, notices, fails)
	}
	t.Logf("%d messages: %.1f%% with files, %d domains, %d encrypted, %d password notices, %d auth failures",
		n, 100*share, len(domains), encrypted, notices, fails)
}

func TestBulkDeterministicAndVerifiable(t *testing.T) {
	var first []Sample
	if err := Bulk(300, 7, func(s Sample) error { first = append(first, s); return nil }); err != nil {
		t.Fatal(err)
	}
	i := 0
	byName := map[string]Sample{}
	err := Bulk(300, 7, func(s Sample) error {
		if s.Name != first[i].Name || !bytes.Equal(s.Raw, first[i].Raw) {
			t.Fatalf("message %d differs between runs", i)
		}
		i++
		byName[s.Name] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range first {
		checkDKIM(t, s)
		if s.Want.PasswordFor != "" {
			zip := byName[s.Want.PasswordFor]
			if zip.Want.Password != s.Want.StatedPassword || zip.Want.PasswordMail != s.Name {
				t.Errorf("%s: pairing with %s broken", s.Name, s.Want.PasswordFor)
			}
		}
	}
}

func TestBulkStopsOnEmitError(t *testing.T) {
	stop := errors.New("enough")
	count := 0
	err := Bulk(1000, 1, func(Sample) error {
		count++
		if count == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || count != 10 {
		t.Fatalf("err %v after %d messages, want the emit error after 10", err, count)
	}
}

// BenchmarkBulk reports the bulk generator's throughput.
func BenchmarkBulk(b *testing.B) {
	const n = 500
	bytesOut := 0
	for b.Loop() {
		if err := Bulk(n, 1, func(s Sample) error { bytesOut += len(s.Raw); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(bytesOut)/float64(n*b.N), "bytes/msg")
}
