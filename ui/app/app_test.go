package app

import "testing"

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
	a := fingerprint(Config{TrustedNetworks: []string{"10.0.0.0/8", "192.168.0.0/16"}}, "")
	b := fingerprint(Config{TrustedNetworks: []string{"192.168.0.0/16", "10.0.0.0/8"}}, "")
	c := fingerprint(Config{}, "")
	if a != b || a == c {
		t.Errorf("fingerprints %q, %q, %q", a, b, c)
	}
}
