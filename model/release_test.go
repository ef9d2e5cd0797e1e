package model

import (
	"strings"
	"testing"
	"time"
)

func TestReleaseDecision(t *testing.T) {
	p := &Policy{
		Exceptions: []Exception{activeException(12, ScopeDomain, "partner.example.co.jp", KindEncryptedArchive)},
		Approvers:  []string{"sato"},
	}
	operator := Operator{User: "tanaka"}
	approver := Operator{User: "sato"}
	spoofedApprover := Operator{User: "sato", FromEnv: true}

	unauth := encryptedFrom("a@partner.example.co.jp")
	unauth.Verdict.Auth = AuthNone
	unreadable := encryptedFrom("a@partner.example.co.jp")
	unreadable.Verdict.Attachment = AttachmentError
	dmarcReject := encryptedFrom("a@partner.example.co.jp")
	dmarcReject.Verdict.Auth = AuthFail
	dmarcReject.Auth = &Auth{DMARC: DMARCResult{Result: ResultFail, Policy: DispositionReject}}

	tests := []struct {
		name        string
		m           *Message
		op          Operator
		want        DecisionOutcome
		wantExc     int
		wantWarning bool
		sentence    string
	}{
		{"clean by operator", &Message{Verdict: Verdict{Attachment: AttachmentClean, Auth: AuthPass}}, operator, DecisionAllowed, 0, false, "any operator"},
		{"covered by exception", encryptedFrom("a@partner.example.co.jp"), operator, DecisionAllowed, 12, false, "allowed by exception 12, approved by sato"},
		{"covered but unauthenticated", unauth, operator, DecisionAllowed, 12, true, "exception 12"},
		{"uncovered by operator", encryptedFrom("a@other.example.com"), operator, DecisionNeedsException, 0, false, "needs an exception for encrypted-archive"},
		{"uncovered by approver", encryptedFrom("a@other.example.com"), approver, DecisionNeedsOverride, 0, false, "override"},
		{"uncovered by $USER approver", encryptedFrom("a@other.example.com"), spoofedApprover, DecisionNeedsException, 0, false, "ask for an exception"},
		{"partial cover", dmarcReject, operator, DecisionNeedsException, 0, false, "no single active exception covers dmarc-fail"},
		{"unreadable even with exception", unreadable, operator, DecisionNeedsException, 0, false, "could not be read"},
		{"unreadable by approver", unreadable, approver, DecisionNeedsOverride, 0, false, "could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ReleaseDecision(tt.m, p, tt.op, testNow)
			if d.Outcome != tt.want {
				t.Errorf("Outcome = %s, want %s (%s)", d.Outcome, tt.want, d.Sentence)
			}
			gotExc := 0
			if d.Exception != nil {
				gotExc = d.Exception.ID
			}
			if gotExc != tt.wantExc {
				t.Errorf("Exception = %d, want %d", gotExc, tt.wantExc)
			}
			if (len(d.Warnings) > 0) != tt.wantWarning {
				t.Errorf("Warnings = %q, want some: %v", d.Warnings, tt.wantWarning)
			}
			if !strings.Contains(d.Sentence, tt.sentence) {
				t.Errorf("Sentence = %q, want it to contain %q", d.Sentence, tt.sentence)
			}
		})
	}
}

func TestCheckOverrideReason(t *testing.T) {
	for reason, ok := range map[string]bool{
		"ticket 4711, confirmed by phone": true,
		"   ":                             false,
		"":                                false,
		"line\nbreak":                     false,
		"bidi \u202e override":            false,
		strings.Repeat("x", 501):          false,
	} {
		if err := CheckOverrideReason(reason); (err == nil) != ok {
			t.Errorf("CheckOverrideReason(%q) = %v, want ok %v", reason, err, ok)
		}
	}
}

func TestCurrentOperator(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name   string
		osUser string
		vars   map[string]string
		want   Operator
	}{
		{"local", "tanaka", map[string]string{"USER": "mallory"}, Operator{User: "tanaka"}},
		{"ssh", "tanaka", map[string]string{"SSH_CONNECTION": "192.0.2.7 52114 198.51.100.1 22"}, Operator{User: "tanaka", SSHClient: "192.0.2.7"}},
		{"ssh ipv6", "tanaka", map[string]string{"SSH_CONNECTION": "2001:db8::7 52114 2001:db8::1 22"}, Operator{User: "tanaka", SSHClient: "2001:db8::7"}},
		{"garbage ssh", "tanaka", map[string]string{"SSH_CONNECTION": "not-an-ip 1 2 3"}, Operator{User: "tanaka"}},
		{"fallback to $USER", "", map[string]string{"USER": "suzuki"}, Operator{User: "suzuki", FromEnv: true}},
		{"nothing known", "", map[string]string{}, Operator{User: UnknownUser, FromEnv: true}},
		{"control characters in $USER", "", map[string]string{"USER": "sato\x1b[2J"}, Operator{User: UnknownUser, FromEnv: true}},
	}
	for _, tt := range tests {
		if got := CurrentOperator(env(tt.vars), tt.osUser); got != tt.want {
			t.Errorf("%s: CurrentOperator = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"", testNow.Add(90 * 24 * time.Hour), ""},
		{"30", testNow.Add(30 * 24 * time.Hour), ""},
		{"365d", testNow.Add(365 * 24 * time.Hour), ""},
		{"2027-03-01", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), ""},
		{"never", time.Time{}, "must expire"},
		{"0", time.Time{}, "must expire"},
		{"366d", time.Time{}, "1 to 365"},
		{"2028-01-01", time.Time{}, "more than 365 days"},
		{"2026-01-01", time.Time{}, "not in the future"},
		{"soon", time.Time{}, "want a date"},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in, testNow)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseExpiry(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
