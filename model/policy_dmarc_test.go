package model

import (
	"slices"
	"testing"
)

// TestRequiredKindsDMARCUnknown checks that a message whose DMARC could
// not be evaluated (no policy known) is held like a p=reject failure.
func TestRequiredKindsDMARCUnknown(t *testing.T) {
	tests := []struct {
		name   string
		dmarc  DMARCResult
		verdct AuthVerdict
		held   bool
	}{
		{"fail, p=reject", DMARCResult{Result: ResultFail, Policy: DispositionReject}, AuthFail, true},
		{"fail, p=quarantine", DMARCResult{Result: ResultFail, Policy: DispositionQuarantine}, AuthFail, false},
		{"permerror: two From fields", DMARCResult{Result: ResultPermError}, AuthFail, true},
		{"temperror: DNS failed", DMARCResult{Result: ResultTempError}, AuthFail, true},
		{"pass", DMARCResult{Result: ResultPass, Policy: DispositionReject}, AuthPass, false},
		{"none", DMARCResult{Result: ResultNone}, AuthNone, false},
	}
	for _, tt := range tests {
		m := &Message{Auth: &Auth{DMARC: tt.dmarc}, Verdict: Verdict{Attachment: AttachmentClean, Auth: tt.verdct}}
		if got := slices.Contains(RequiredKinds(m), KindDMARCFail); got != tt.held {
			t.Errorf("%s: dmarc-fail required = %v, want %v", tt.name, got, tt.held)
		}
	}
}
