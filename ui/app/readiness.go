package app

import (
	"fmt"

	"mxaudit/analysis/dmarcreport"
)

// ReadinessConfig is the [readiness] table: when a sending source of
// your domain counts as ready for a stricter DMARC policy, and when as
// spoofing. The thresholds are printed with every answer, so that a
// decision can be traced to them.
type ReadinessConfig struct {
	// ReadyRatio is the DMARC pass ratio (0..1) at or above which a
	// source is ready; 0 means the default, 0.98.
	ReadyRatio float64 `toml:"ready_ratio"`
	// SpoofingRatio is the DMARC pass ratio at or below which a source
	// without any valid DKIM signature is taken for spoofing (default 0:
	// never aligned).
	SpoofingRatio float64 `toml:"spoofing_ratio"`
}

// Thresholds returns the configured thresholds with the defaults filled
// in, or an error for a ratio outside 0..1 or a spoofing ratio that is
// not below the ready ratio.
func (c ReadinessConfig) Thresholds() (dmarcreport.Thresholds, error) {
	th := dmarcreport.DefaultThresholds
	if c.ReadyRatio != 0 {
		th.ReadyRatio = c.ReadyRatio
	}
	th.SpoofingRatio = c.SpoofingRatio
	if th.ReadyRatio <= 0 || th.ReadyRatio > 1 || th.SpoofingRatio < 0 || th.SpoofingRatio >= th.ReadyRatio {
		return th, fmt.Errorf("[readiness] ready_ratio %g and spoofing_ratio %g: want 0 <= spoofing_ratio < ready_ratio <= 1",
			th.ReadyRatio, th.SpoofingRatio)
	}
	return th, nil
}
