package model

import (
	"encoding/json"
	"testing"
	"time"
)

// statsMessages is a hand-counted set: see the expectations in TestStats.
func statsMessages() []Message {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	auth := func(spf, dkim, dmarc Result, policy, disp Disposition) *Auth {
		a := &Auth{SPF: SPFResult{Result: spf}, DMARC: DMARCResult{Result: dmarc, Policy: policy, Disposition: disp}}
		if dkim != "" {
			a.DKIM = []DKIMResult{{Result: dkim, Aligned: true}}
		}
		return a
	}
	encrypted := []Attachment{{Filename: "a.zip", Archive: &Archive{Format: "zip", Encrypted: true, Encryption: EncryptionZipCrypto}}}
	paired := []Attachment{{Filename: "b.zip", Archive: &Archive{Format: "zip", Encrypted: true, PasswordSource: "pw-mail"}}}
	risky := []Attachment{{Filename: "x.exe", Risks: []Risk{RiskExecutable}}}
	return []Message{
		{FromDomain: "good.example", Date: day(1), Auth: auth(ResultPass, ResultPass, ResultPass, DispositionReject, DispositionNone)},
		{FromDomain: "good.example", Date: day(1), Auth: auth(ResultPass, "", ResultPass, DispositionReject, DispositionNone), Attachments: encrypted},
		{FromDomain: "spoof.example", Date: day(2), Auth: auth(ResultFail, ResultFail, ResultFail, DispositionReject, DispositionReject), Attachments: risky},
		{FromDomain: "spoof.example", Date: day(2), Auth: auth(ResultSoftFail, "", ResultFail, DispositionQuarantine, DispositionQuarantine), Attachments: paired},
		{FromDomain: "lax.example", Date: day(4), Auth: auth(ResultNeutral, ResultFail, ResultFail, DispositionNone, DispositionNone)},
		{FromDomain: "nopolicy.example", Date: day(4), Auth: auth(ResultNone, ResultNone, ResultNone, "", "")},
		{FromDomain: "err.example", Auth: auth(ResultTempError, ResultPermError, ResultTempError, DispositionReject, DispositionNone)},
		{FromDomain: "offline.example", Date: day(4), Attachments: encrypted},
	}
}

func TestStats(t *testing.T) {
	s := ComputeStats(statsMessages(), Filter{})
	want := Stats{
		Messages:     8,
		SPF:          ResultCounts{Pass: 2, Fail: 1, SoftFail: 1, Neutral: 1, None: 1, TempError: 1, Unchecked: 1},
		DKIM:         ResultCounts{Pass: 1, Fail: 2, None: 3, PermError: 1, Unchecked: 1},
		DMARC:        ResultCounts{Pass: 2, Fail: 3, None: 1, TempError: 1, Unchecked: 1},
		Dispositions: DispositionCounts{None: 4, Quarantine: 1, Reject: 1, NoPolicy: 1, Unchecked: 1},
		Encrypted:    3, Risky: 1, PPAPPairs: 1, Undated: 1,
	}
	if s.Messages != want.Messages || s.SPF != want.SPF || s.DKIM != want.DKIM || s.DMARC != want.DMARC {
		t.Errorf("results:\n got %+v %+v %+v\nwant %+v %+v %+v", s.SPF, s.DKIM, s.DMARC, want.SPF, want.DKIM, want.DMARC)
	}
	if s.Dispositions != want.Dispositions || s.Encrypted != 3 || s.Risky != 1 || s.PPAPPairs != 1 || s.Undated != 1 {
		t.Errorf("dispositions %+v encrypted %d risky %d ppap %d undated %d", s.Dispositions, s.Encrypted, s.Risky, s.PPAPPairs, s.Undated)
	}
	// DMARC fails: spoof ×2, lax ×1.
	if len(s.FailingDomains) != 2 || s.FailingDomains[0] != (DomainCount{"spoof.example", 2}) || s.FailingDomains[1] != (DomainCount{"lax.example", 1}) {
		t.Errorf("failing domains %+v", s.FailingDomains)
	}
	// 1, 2 and 4 March, with an empty 3 March.
	if s.Series.Unit != "day" || len(s.Series.Points) != 4 {
		t.Fatalf("series %+v", s.Series)
	}
	wantPts := []Point{{Messages: 2, Encrypted: 1}, {Messages: 2, Encrypted: 1, Risky: 1, PPAPPairs: 1}, {}, {Messages: 3, Encrypted: 1}}
	for i, p := range s.Series.Points {
		w := wantPts[i]
		w.Start = time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC)
		if p != w {
			t.Errorf("point %d = %+v, want %+v", i, p, w)
		}
	}
	f := ComputeStats(statsMessages(), Filter{EncryptedOnly: true})
	if f.Messages != 3 || f.Encrypted != 3 {
		t.Errorf("filtered: %d messages, %d encrypted", f.Messages, f.Encrypted)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Fatal(err)
	}
}

func TestStatsSeriesUnit(t *testing.T) {
	base := time.Date(2026, 1, 7, 12, 0, 0, 0, time.UTC) // a Wednesday
	tests := []struct {
		name  string
		dates []time.Time
		unit  string
		n     int
		first time.Time
	}{
		{"one day", []time.Time{base}, "day", 1, time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC)},
		{"six months", []time.Time{base, base.AddDate(0, 6, 0)}, "week", 27, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)},
		{"five years", []time.Time{base, base.AddDate(5, 0, 0)}, "month", 61, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		// Forged dates (before 1990) are counted apart, not charted.
		{"forged 1970", []time.Time{time.Unix(0, 0), base}, "day", 1, time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC)},
		{"forged year 2", []time.Time{time.Date(2, 1, 1, 0, 0, 0, 0, time.UTC), base}, "day", 1, time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewStatsCounter()
			c.Now = base.AddDate(6, 0, 0)
			for _, d := range tt.dates {
				c.Add(&Message{Date: d})
			}
			st := c.Stats()
			s := st.Series
			if s.Unit != tt.unit || len(s.Points) != tt.n || !s.Points[0].Start.Equal(tt.first) {
				t.Fatalf("unit %s, %d points from %v; want %s, %d from %v", s.Unit, len(s.Points), s.Points[0].Start, tt.unit, tt.n, tt.first)
			}
			total := 0
			for _, p := range s.Points {
				total += p.Messages
			}
			if total+st.SuspectDates != len(tt.dates) {
				t.Errorf("points hold %d messages, want %d", total, len(tt.dates))
			}
		})
	}
}

func TestStatsTopDomains(t *testing.T) {
	c := NewStatsCounter()
	for i := range 30 {
		for range i + 1 {
			c.Add(&Message{FromDomain: string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".example", Auth: &Auth{DMARC: DMARCResult{Result: ResultFail}}})
		}
	}
	s := c.Stats()
	if len(s.FailingDomains) != TopFailingDomains || s.FailingDomains[0].Messages != 30 || s.FailingDomains[19].Messages != 11 {
		t.Errorf("top domains %+v", s.FailingDomains)
	}
}
