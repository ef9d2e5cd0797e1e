package analysis_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestDemoQuarantine analyses every curated demo message with live
// authentication against the demo's DNS zone and compares the result with
// what the generator says it wrote.
func TestDemoQuarantine(t *testing.T) {
	checker := auth.NewChecker(auth.Config{
		TrustedHosts: []string{demo.TrustedMTA},
		Resolver:     auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone())),
	})
	an := analysis.New(analysis.Config{Auth: checker})
	for _, s := range demo.Samples(demo.Options{}) {
		t.Run(s.Want.Scenario, func(t *testing.T) {
			m := an.Analyze(context.Background(), model.MessageID(s.Name), bytes.NewReader(s.Raw))
			checkDemoMessage(t, &m, &s.Want)
		})
	}
}

func checkDemoMessage(t *testing.T, m *model.Message, want *demo.Expect) {
	t.Helper()
	if m.Verdict.Attachment != want.Attachment {
		t.Errorf("attachment verdict %q, want %q (reasons %q)", m.Verdict.Attachment, want.Attachment, m.Verdict.Reasons)
	}
	if want.Malformed {
		return // what a malformed message still yields is best effort
	}
	if m.Subject != want.Subject {
		t.Errorf("subject %q, want %q", m.Subject, want.Subject)
	}
	if want.FromCount == 1 && m.FromDomain != want.FromDomain {
		t.Errorf("from domain %q, want %q", m.FromDomain, want.FromDomain)
	}
	var risks []model.Risk
	for i := range m.Attachments {
		risks = append(risks, m.Attachments[i].Risks...)
	}
	for _, r := range want.Risks {
		if !slices.Contains(risks, r) {
			t.Errorf("risks %v lack %q", risks, r)
		}
	}
	if len(m.Attachments) != len(want.Files) {
		t.Fatalf("%d attachments, want %d", len(m.Attachments), len(want.Files))
	}
	for i, f := range want.Files {
		got := m.Attachments[i]
		if got.Filename != f.Name {
			t.Errorf("attachment %d named %q, want %q", i, got.Filename, f.Name)
		}
		if f.Archive == nil {
			continue
		}
		if got.Archive == nil {
			t.Errorf("%s: no archive found", f.Name)
			continue
		}
		if got.Archive.Encrypted != f.Archive.Encrypted || got.Archive.Encryption != f.Archive.Encryption {
			t.Errorf("%s: encrypted=%v %q, want %v %q", f.Name, got.Archive.Encrypted, got.Archive.Encryption, f.Archive.Encrypted, f.Archive.Encryption)
		}
		names := entryNames(got.Archive, nil)
		for _, n := range f.Archive.Entries {
			if !slices.Contains(names, n) {
				t.Errorf("%s: entries %q lack %q", f.Name, names, n)
			}
		}
	}

	a, w := m.Auth, want.Auth
	if a == nil {
		t.Fatal("no authentication result")
	}
	if a.SPF.Result != w.SPF {
		t.Errorf("SPF %q, want %q (%s)", a.SPF.Result, w.SPF, a.SPF.Reason)
	}
	if len(a.DKIM) != len(w.DKIM) {
		t.Errorf("%d DKIM results, want %d", len(a.DKIM), len(w.DKIM))
	} else {
		for i, d := range w.DKIM {
			if a.DKIM[i].Result != d.Result || a.DKIM[i].Domain != d.Domain || a.DKIM[i].Aligned != d.Aligned {
				t.Errorf("DKIM %d: %q d=%s aligned=%v (%s), want %q d=%s aligned=%v", i,
					a.DKIM[i].Result, a.DKIM[i].Domain, a.DKIM[i].Aligned, a.DKIM[i].Reason, d.Result, d.Domain, d.Aligned)
			}
		}
	}
	if a.DMARC.Result != w.DMARC || a.DMARC.Disposition != w.Disposition {
		t.Errorf("DMARC %q disposition %q, want %q %q (%s)", a.DMARC.Result, a.DMARC.Disposition, w.DMARC, w.Disposition, a.DMARC.Reason)
	}
	if m.Verdict.Auth != w.Verdict {
		t.Errorf("auth verdict %q, want %q", m.Verdict.Auth, w.Verdict)
	}
}

// entryNames lists the entries of arc and of every nested archive.
func entryNames(arc *model.Archive, names []string) []string {
	for _, e := range arc.Entries {
		names = append(names, e.Name)
		if e.Archive != nil {
			names = entryNames(e.Archive, names)
		}
	}
	return names
}
