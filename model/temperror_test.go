package model

import (
	"slices"
	"testing"
	"time"
)

// TestAuthTempError: a message whose authentication a DNS failure left
// undecided is neither passed nor failed (RFC 9989 §5.3.6). It is not in
// the "DMARC fail" quick filter but in its own, it still needs the
// dmarc-fail exception kind before release (nobody knows its policy), and
// an exception for its sender does not cover it: it may be forged.
func TestAuthTempError(t *testing.T) {
	temp := &Message{FromAddr: "ceo@partner.example", FromDomain: "partner.example",
		Auth:    &Auth{DMARC: DMARCResult{Result: ResultTempError}},
		Verdict: Verdict{Attachment: AttachmentEncrypted, Auth: AuthTempError}}
	// A result cached before the temperror verdict existed.
	legacy := &Message{Auth: &Auth{DMARC: DMARCResult{Result: ResultTempError}}, Verdict: Verdict{Auth: AuthFail}}
	fail := &Message{Auth: &Auth{DMARC: DMARCResult{Result: ResultFail, Policy: DispositionReject}}, Verdict: Verdict{Auth: AuthFail}}
	pass := &Message{Auth: &Auth{DMARC: DMARCResult{Result: ResultPass}}, Verdict: Verdict{Auth: AuthPass}}

	tests := []struct {
		name           string
		m              *Message
		temp, dmarcBad bool
	}{
		{"temperror", temp, true, false},
		{"legacy temperror", legacy, true, false},
		{"fail", fail, false, true},
		{"pass", pass, false, false},
	}
	for _, tt := range tests {
		if got := tt.m.IsAuthTempError(); got != tt.temp {
			t.Errorf("%s: IsAuthTempError %v, want %v", tt.name, got, tt.temp)
		}
		if got := tt.m.IsDMARCFail(); got != tt.dmarcBad {
			t.Errorf("%s: IsDMARCFail %v, want %v", tt.name, got, tt.dmarcBad)
		}
		if got := (Filter{TempErrorOnly: true}).Match(tt.m); got != tt.temp {
			t.Errorf("%s: temperror filter %v, want %v", tt.name, got, tt.temp)
		}
		if got := (Filter{DMARCFailOnly: true}).Match(tt.m); got != tt.dmarcBad {
			t.Errorf("%s: dmarc-fail filter %v, want %v", tt.name, got, tt.dmarcBad)
		}
	}
	if n := AuthTempErrors([]*Message{temp, legacy, fail, pass, nil}); n != 2 {
		t.Errorf("AuthTempErrors = %d, want 2", n)
	}
	// Not the "!" of a failure: with the resolver down, every message
	// would carry it.
	if temp.Severity() != 3 || (&Message{Auth: temp.Auth, Verdict: Verdict{Auth: AuthTempError}}).Severity() != 1 {
		t.Errorf("severity %d", temp.Severity())
	}
	if !slices.Contains(RequiredKinds(temp), KindDMARCFail) {
		t.Errorf("temperror does not need the dmarc-fail exception: %v", RequiredKinds(temp))
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	p := &Policy{Approvers: []string{"sato"}, Exceptions: []Exception{{
		ID: 1, Scope: ScopeDomain, Value: "partner.example", Kinds: []ExceptionKind{KindEncryptedArchive, KindDMARCFail},
		Reason: "contract", RequestedBy: "tanaka", Created: now.AddDate(0, 0, -1),
		ApprovedBy: "sato", Approved: now.AddDate(0, 0, -1), Expires: now.AddDate(0, 0, 30),
	}}}
	if d := ReleaseDecision(temp, p, Operator{User: "suzuki"}, now); d.Outcome == DecisionAllowed {
		t.Errorf("an exception covered a message whose sender could not be authenticated: %s", d.Sentence)
	}
	if s := (Filter{TempErrorOnly: true}).String(); s != "temperror" {
		t.Errorf("filter string %q", s)
	}
}
