package cli

import (
	"strings"
	"testing"

	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
)

// TestCheckDNSFailureIsNotNoRecord: when the DMARC tree walk gets no
// answer, check says DNS failed and never "no record" (issue 13).
func TestCheckDNSFailureIsNotNoRecord(t *testing.T) {
	srv := authtest.StartDNS(t, dnszone.Zone{
		{Name: "sub.walk.example", Type: "TXT", Value: "v=spf1 -all"},
		{Name: "_dmarc.walk.example", Type: "TXT", Value: "v=DMARC1; p=reject"},
	})
	srv.Drop("_dmarc.walk.example")
	code, out, errOut := runSubcommand(t, runCheck, "--dns", srv.Addr(), "--dns-timeout", "200ms", "sub.walk.example")
	if code != checkExitCannotCheck || strings.Contains(out, "no record") || !strings.Contains(errOut, "_dmarc.walk.example did not answer") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}
