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
