package action

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// TestMoveWarning: a move done but not durable counts as done, with the
// warning in the audit detail; every other error stays an error. (The
// fsync fault itself is exercised in mailsrc, TestMoveDoneButNotDurable.)
func TestMoveWarning(t *testing.T) {
	notDurable := fmt.Errorf("q: m moved to .trash: %w: sync .trash/cur: input/output error", mailsrc.ErrNotDurable)
	failed := errors.New("q: cannot move m to .trash: permission denied")
	tests := []struct {
		name       string
		detail     string
		err        error
		wantErr    error
		wantDetail string
		undone     bool
	}{
		{"done", "", nil, nil, "", true},
		{"done, not durable", "", notDurable, nil, "warning: " + notDurable.Error(), true},
		{"after a detail", "to sato", notDurable, nil, "to sato; warning: " + notDurable.Error(), true},
		{"failed", "", failed, failed, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry := model.AuditEntry{Detail: tt.detail}
			if err := moveWarning(&entry, tt.err); err != tt.wantErr {
				t.Errorf("moveWarning = %v, want %v", err, tt.wantErr)
			}
			if entry.Detail != tt.wantDetail && !(tt.wantDetail == "" && entry.Detail == tt.detail) {
				t.Errorf("detail %q, want %q", entry.Detail, tt.wantDetail)
			}
			if got := undone(tt.err); got != tt.undone {
				t.Errorf("undone = %v, want %v", got, tt.undone)
			}
			if tt.wantErr == nil && tt.err != nil && !strings.Contains(entry.Detail, "directory fsync failed") {
				t.Errorf("the warning does not say what failed: %q", entry.Detail)
			}
		})
	}
}
