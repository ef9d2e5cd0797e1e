package imap

import (
	"testing"

	goimap "github.com/emersion/go-imap/v2"
)

// TestUnclaimable: a claim is refused (fail closed) on a mailbox whose
// PERMANENTFLAGS neither allow new keywords nor list this Source's own —
// a server that caps keywords per mailbox, full of earlier runs' claim
// keywords — instead of acting without a claim (found in review).
func TestUnclaimable(t *testing.T) {
	own := goimap.Flag(ClaimPrefix + "-0123456789abcdef")
	tests := []struct {
		name string
		perm []goimap.Flag
		ok   bool
	}{
		{"no PERMANENTFLAGS sent", nil, true},
		{"new keywords allowed", []goimap.Flag{goimap.FlagSeen, goimap.FlagWildcard}, true},
		{"own keyword listed", []goimap.Flag{goimap.FlagSeen, own}, true},
		{"own keyword in other case", []goimap.Flag{goimap.Flag("$mxauditclaim-0123456789ABCDEF")}, true},
		{"full of other claim keywords", []goimap.Flag{goimap.FlagSeen, ClaimPrefix + "-1", ClaimPrefix + "-2"}, false},
		{"system flags only", []goimap.Flag{goimap.FlagSeen, goimap.FlagDeleted}, false},
		{"empty list", []goimap.Flag{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := unclaimable(tt.perm, own)
			if (why == "") != tt.ok {
				t.Errorf("unclaimable(%v) = %q, want claimable %v", tt.perm, why, tt.ok)
			}
		})
	}
}
