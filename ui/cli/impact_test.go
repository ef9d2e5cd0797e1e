package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// wantPartner is what the demo generator's expectations say of one
// partner, counted here independently of model.ImpactCounter.
type wantPartner struct {
	messages, encrypted, paired, risky, dmarcFail, blocked int
}

// demoPartners counts the demo samples per partner from their Expect:
// the organizational domain the generator computed, the attachment
// verdict, the password mail it sent, the risks it planted (inside an
// archive only once its password is known) and the DMARC outcome.
func demoPartners(samples []demo.Sample) map[string]*wantPartner {
	out := map[string]*wantPartner{}
	for _, s := range samples {
		w := s.Want
		dom := w.Auth.OrgDomain
		if dom == "" && w.FromDomain != "" {
			dom, _ = publicsuffix.EffectiveTLDPlusOne(w.FromDomain)
		}
		p := out[dom]
		if p == nil {
			p = &wantPartner{}
			out[dom] = p
		}
		p.messages++
		encrypted := w.Attachment == model.AttachmentEncrypted
		risky := w.Attachment == model.AttachmentRisky || len(w.Risks) > 0
		for _, f := range w.Files {
			if f.Archive != nil && w.PasswordMail != "" && len(f.Archive.InnerRisks) > 0 {
				risky = true
			}
		}
		fail := w.Auth.Verdict == model.AuthFail
		rejects := w.Auth.Policy == model.DispositionReject || w.Auth.Disposition == model.DispositionReject ||
			w.Auth.DMARC == model.ResultPermError || w.Auth.DMARC == model.ResultTempError
		if encrypted {
			p.encrypted++
			if w.PasswordMail != "" {
				p.paired++
			}
		}
		if risky {
			p.risky++
		}
		if fail {
			p.dmarcFail++
		}
		if encrypted || risky || (fail && rejects) {
			p.blocked++
		}
	}
	return out
}

// TestImpactDemo runs "mxaudit impact --json" on the demo quarantine,
// authenticated live against the demo's DNS zone, with one approved
// exception for invoice-center.example, and checks every partner's counts
// against the generator's expectations.
func TestImpactDemo(t *testing.T) {
	pe := newPolicyTestEnv(t)
	pe.expect(ExitOK, "", "tanaka", "exception", "add", "--domain", "invoice-center.example",
		"--kind", "encrypted-archive,risky-type", "--reason", "invoices until the portal is live")
	pe.expect(ExitOK, "", "sato", "exception", "approve", "1")

	samples := demo.Samples(demo.Options{})
	dir := filepath.Join(t.TempDir(), "quarantine")
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	dns := authtest.StartDNS(t, demo.Zone())
	code, stdout, stderr := runImpactIn(pe, "--json", "--no-cache", "--trusted-hosts", demoTrustedHost,
		"--dns", dns.Addr(), "--dns-timeout", "2s", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep impactReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := demoPartners(samples)
	if len(rep.Partners) != len(want) {
		t.Errorf("%d partners, want %d", len(rep.Partners), len(want))
	}
	for i, p := range rep.Partners {
		if i > 0 && rep.Partners[i-1].Blocked < p.Blocked {
			t.Errorf("%s (%d blocked) after %s (%d)", p.Domain, p.Blocked, rep.Partners[i-1].Domain, rep.Partners[i-1].Blocked)
		}
		w := want[p.Domain]
		if w == nil {
			t.Errorf("unexpected partner %q", p.Domain)
			continue
		}
		blocked, allowed, verdict := w.blocked, 0, model.ImpactBlocked
		if p.Domain == "invoice-center.example" {
			blocked, allowed, verdict = 0, w.blocked, model.ImpactAllowedByException
			if p.Exception == nil || p.Exception.ID != 1 {
				t.Errorf("%s: exception %+v, want 1", p.Domain, p.Exception)
			}
		} else if p.Exception != nil {
			t.Errorf("%s: exception %+v, want none", p.Domain, p.Exception)
		}
		if blocked == 0 && allowed == 0 {
			verdict = model.ImpactUnaffected
		}
		got := wantPartner{p.Messages, p.Encrypted, p.WithPasswordMail, p.Risky, p.DMARCFail, p.Blocked + p.Allowed}
		if got != *w || p.Blocked != blocked || p.Allowed != allowed || p.VerdictIfEnforced != verdict {
			t.Errorf("%s: got %+v blocked %d allowed %d %s\nwant %+v blocked %d allowed %d %s",
				p.Domain, got, p.Blocked, p.Allowed, p.VerdictIfEnforced, *w, blocked, allowed, verdict)
		}
	}
	if rep.Period.First == nil || rep.Period.Since != nil {
		t.Errorf("period %+v", rep.Period)
	}
}

// runImpactIn runs "mxaudit impact" in pe's configuration directories.
func runImpactIn(pe *policyTestEnv, args ...string) (int, string, string) {
	pe.t.Helper()
	pe.t.Setenv("XDG_CONFIG_HOME", pe.vars["XDG_CONFIG_HOME"])
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return pe.vars[k] }}
	code := runImpact(context.Background(), args, env)
	return code, stdout.String(), stderr.String()
}

// TestImpactPeriodAndFormats checks --since/--until, the CSV header and
// the table's closing sentence on the demo, offline.
func TestImpactPeriodAndFormats(t *testing.T) {
	pe := newPolicyTestEnv(t)
	dir := filepath.Join(t.TempDir(), "quarantine")
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"table", nil, []string{"PARTNER", "IF ENFORCED", "Enforcing the release rules would stop"}},
		{"csv", []string{"--csv"}, []string{"domain,verdict_if_enforced,blocked,"}},
		{"empty period", []string{"--json", "--since", "2030-01-01"}, []string{`"partners": []`, `"since": "2030-01-01T00:00:00Z"`}},
		{"until is inclusive", []string{"--json", "--until", "2026-11-19"}, []string{`"last": "2026-11-19T`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--offline", "--no-cache", "--trusted-hosts", demoTrustedHost}, tt.args...)
			code, out, errOut := runImpactIn(pe, append(args, dir)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if code, _, _ := runImpactIn(pe, "--json", "--csv", dir); code != ExitUsage {
		t.Errorf("--json --csv: exit %d", code)
	}
	if code, _, _ := runImpactIn(pe, "--since", "yesterday", dir); code != ExitUsage {
		t.Errorf("--since yesterday: exit %d", code)
	}
}
