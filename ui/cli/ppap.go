package cli

import (
	"fmt"

	"mxaudit/analysis/clamd"
	"mxaudit/analysis/ppap"
)

// ppapConfig builds the PPAP pairing configuration cfg asks for: the
// window, the attempt cap and, when clamd_socket is set, the clamd client
// that scans decrypted archives.
func ppapConfig(cfg Config) (ppap.Config, error) {
	pc := ppap.Config{Window: cfg.PPAPWindow.Duration, MaxAttempts: cfg.PPAPMaxAttempts}
	if cfg.PPAPWindow.Duration < 0 || cfg.PPAPMaxAttempts < 0 {
		return pc, fmt.Errorf("ppap_window and ppap_max_attempts must not be negative")
	}
	if cfg.ClamdSocket != "" {
		c, err := clamd.New(cfg.ClamdSocket, 0)
		if err != nil {
			return pc, fmt.Errorf("clamd_socket: %w", err)
		}
		pc.Scanner, pc.ScannerName = c, clamd.Engine
	}
	return pc, nil
}
