package app

import "testing"

// TestOperatorChoseGC checks that either variable counts as the
// operator's choice, and that an empty one does not.
func TestOperatorChoseGC(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set", nil, false},
		{"empty values", map[string]string{"GOGC": "", "GOMEMLIMIT": ""}, false},
		{"GOGC", map[string]string{"GOGC": "off"}, true},
		{"GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, true},
		{"both", map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, true},
		{"another variable", map[string]string{"GODEBUG": "gctrace=1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OperatorChoseGC(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("OperatorChoseGC = %v, want %v", got, tt.want)
			}
		})
	}
}
