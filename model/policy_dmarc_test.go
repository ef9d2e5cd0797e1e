package model

import (
	"slices"
	"testing"
	"time"
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

// TestExceptionDoesNotCoverForgedSender: an exception for a partner's
// domain lets its encrypted archives through only when the From is not a
// failed-authentication forgery of that domain.
func TestExceptionDoesNotCoverForgedSender(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	p := &Policy{Approvers: []string{"sato"}, Exceptions: []Exception{{
		ID: 1, Scope: ScopeDomain, Value: "partner.example", Kinds: []ExceptionKind{KindEncryptedArchive},
		Reason: "contract", RequestedBy: "tanaka", Created: now.AddDate(0, 0, -1),
		ApprovedBy: "sato", Approved: now.AddDate(0, 0, -1), Expires: now.AddDate(0, 0, 30),
	}}}
	msg := func(v AuthVerdict, r Result) *Message {
		return &Message{FromAddr: "ceo@partner.example", FromDomain: "partner.example",
			Auth:    &Auth{DMARC: DMARCResult{Result: r, Policy: DispositionNone}},
			Verdict: Verdict{Attachment: AttachmentEncrypted, Auth: v}}
	}
	op := Operator{User: "suzuki"}
	if d := ReleaseDecision(msg(AuthPass, ResultPass), p, op, now); d.Outcome != DecisionAllowed {
		t.Errorf("authenticated partner: %s (%s), want allowed", d.Outcome, d.Sentence)
	}
	if d := ReleaseDecision(msg(AuthFail, ResultFail), p, op, now); d.Outcome == DecisionAllowed {
		t.Errorf("forged partner (DMARC fail) was allowed by the exception: %s", d.Sentence)
	}
}
