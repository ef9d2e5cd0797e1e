package console

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC checks that the console lowers the collection target only
// when the operator chose none, and that it restores the previous one.
func TestTuneGC(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want int
	}{
		{"no setting", nil, gcPercent},
		{"GOGC set", map[string]string{"GOGC": "200"}, 137},
		{"GOMEMLIMIT set", map[string]string{"GOMEMLIMIT": "1GiB"}, 137},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 137 stands for whatever the runtime took from the
			// environment at start.
			old := debug.SetGCPercent(137)
			defer debug.SetGCPercent(old)
			restore := tuneGC(func(k string) string { return tt.env[k] })
			if got := debug.SetGCPercent(-1); got != tt.want {
				t.Errorf("GC percent %d, want %d", got, tt.want)
			}
			debug.SetGCPercent(tt.want)
			restore()
			if got := debug.SetGCPercent(137); got != 137 {
				t.Errorf("after restore: GC percent %d, want 137", got)
			}
		})
	}
}
