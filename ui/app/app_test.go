package app

import (
	"strings"
	"testing"

	"mxaudit/analysis/ppap"
)

func TestPPAPConfig(t *testing.T) {
	tests := []struct {
		cfg     Config
		scanner bool
		bad     bool
	}{
		{Config{}, false, false},
		{Config{ClamdSocket: "/run/clamav/clamd.ctl", PPAPMaxAttempts: 5}, true, false},
		{Config{ClamdSocket: "127.0.0.1:3310"}, true, false},
		{Config{ClamdSocket: "clamd"}, false, true},
		{Config{PPAPMaxAttempts: -1}, false, true},
	}
	for _, tt := range tests {
		pc, err := PPAPConfig(tt.cfg)
		if (err != nil) != tt.bad || (pc.Scanner != nil) != tt.scanner {
			t.Errorf("PPAPConfig(%+v) = %+v, %v", tt.cfg, pc, err)
		}
	}
}

// TestFingerprintTrustedNetworks: cached results are rebuilt when the
// trusted networks change, in any order.
func TestFingerprintTrustedNetworks(t *testing.T) {
	a := fingerprint(Config{TrustedNetworks: []string{"10.0.0.0/8", "192.168.0.0/16"}}, "", 0)
	b := fingerprint(Config{TrustedNetworks: []string{"192.168.0.0/16", "10.0.0.0/8"}}, "", 0)
	c := fingerprint(Config{}, "", 0)
	if a != b || a == c {
		t.Errorf("fingerprints %q, %q, %q", a, b, c)
	}
}

// TestFingerprintPasswordSearch: cached results, which record whether
// their text holds a password (model.Message.PasswordsInText), are
// rebuilt when the search or the text it reads changes.
func TestFingerprintPasswordSearch(t *testing.T) {
	short, long := fingerprint(Config{}, "", 64<<10), fingerprint(Config{}, "", 256<<10)
	if short == long {
		t.Errorf("the same fingerprint for texts of 64 KiB and 256 KiB: %q", short)
	}
	if !strings.Contains(long, ppap.ExtractVersion) {
		t.Errorf("fingerprint %q does not name the search %q", long, ppap.ExtractVersion)
	}
}
