package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// activeException is an approved, unexpired exception by two people.
func activeException(id int, scope ExceptionScope, value string, kinds ...ExceptionKind) Exception {
	return Exception{
		ID: id, Scope: scope, Value: value, Kinds: kinds, Reason: "partner sends encrypted orders",
		RequestedBy: "tanaka", Created: testNow.Add(-24 * time.Hour),
		ApprovedBy: "sato", Approved: testNow.Add(-time.Hour),
		Expires: testNow.Add(30 * 24 * time.Hour),
	}
}

// encryptedFrom is a message from addr with an encrypted ZIP that passes DMARC.
func encryptedFrom(addr string) *Message {
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	return &Message{
		FromAddr: addr, FromDomain: domain,
		Attachments: []Attachment{{Filename: "order.zip", Archive: &Archive{Format: "zip", Encrypted: true, Encryption: EncryptionZipCrypto}}},
		Verdict:     Verdict{Attachment: AttachmentEncrypted, Auth: AuthPass},
	}
}

func TestExceptionStatus(t *testing.T) {
	approvers := []string{"sato", "suzuki"}
	tests := []struct {
		name string
		edit func(e *Exception)
		want ExceptionStatus
	}{
		{"approved by another approver", func(e *Exception) {}, StatusActive},
		{"not yet approved", func(e *Exception) { e.ApprovedBy = "" }, StatusPending},
		{"approved by the requester", func(e *Exception) { e.ApprovedBy = "tanaka" }, StatusInvalid},
		{"requester differs only in case", func(e *Exception) { e.RequestedBy = "SATO" }, StatusInvalid},
		{"approver not in the list", func(e *Exception) { e.ApprovedBy = "mallory" }, StatusInvalid},
		{"expires exactly now", func(e *Exception) { e.Expires = testNow }, StatusExpired},
		{"expired yesterday", func(e *Exception) { e.Expires = testNow.Add(-24 * time.Hour) }, StatusExpired},
		{"expires in a second", func(e *Exception) { e.Expires = testNow.Add(time.Second) }, StatusActive},
		{"revoked", func(e *Exception) { e.Revoked, e.RevokedBy = testNow, "suzuki" }, StatusRevoked},
		{"revoked and expired", func(e *Exception) { e.Revoked, e.Expires = testNow, testNow.Add(-time.Hour) }, StatusRevoked},
		{"pending and expired", func(e *Exception) { e.ApprovedBy, e.Expires = "", testNow.Add(-time.Hour) }, StatusExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := activeException(1, ScopeDomain, "partner.example.co.jp", KindEncryptedArchive)
			tt.edit(&e)
			if got := e.Status(testNow, approvers); got != tt.want {
				t.Errorf("Status = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMatchesSender(t *testing.T) {
	tests := []struct {
		scope        ExceptionScope
		value        string
		addr, domain string
		want         bool
	}{
		{ScopeDomain, "partner.example.co.jp", "a@partner.example.co.jp", "partner.example.co.jp", true},
		{ScopeDomain, "partner.example.co.jp", "a@PARTNER.example.co.jp", "PARTNER.Example.co.jp", true},
		{ScopeDomain, "partner.example.co.jp", "a@mx.partner.example.co.jp", "mx.partner.example.co.jp", false},
		{ScopeDomain, "partner.example.co.jp", "a@evilpartner.example.co.jp", "evilpartner.example.co.jp", false},
		{ScopeDomain, "partner.example.co.jp", "a@partner.example.co.jp.evil.test", "partner.example.co.jp.evil.test", false},
		{ScopeDomain, "*.example.co.jp", "a@mx.example.co.jp", "mx.example.co.jp", true},
		{ScopeDomain, "*.example.co.jp", "a@a.b.example.co.jp", "a.b.example.co.jp", true},
		{ScopeDomain, "*.example.co.jp", "a@example.co.jp", "example.co.jp", false},
		{ScopeDomain, "*.example.co.jp", "a@badexample.co.jp", "badexample.co.jp", false},
		{ScopeDomain, "xn--r8jz45g.jp", "a@例え.jp", "例え.jp", true},
		{ScopeDomain, "partner.example.co.jp", "a@partner.example.co.jp", "", true},
		{ScopeAddress, "orders@partner.example.co.jp", "Orders@Partner.example.co.jp", "partner.example.co.jp", true},
		{ScopeAddress, "orders@partner.example.co.jp", "other@partner.example.co.jp", "partner.example.co.jp", false},
		{ScopeAddress, "orders@partner.example.co.jp", "", "", false},
		{ScopeAddress, "orders@partner.example.co.jp", `"orders"@partner.example.co.jp`, "partner.example.co.jp", false},
	}
	for _, tt := range tests {
		e := Exception{Scope: tt.scope, Value: tt.value}
		if got := e.MatchesSender(tt.addr, tt.domain); got != tt.want {
			t.Errorf("%s %s matches (%q, %q) = %v, want %v", tt.scope, tt.value, tt.addr, tt.domain, got, tt.want)
		}
	}
}

func TestNormalizeExceptionValue(t *testing.T) {
	tests := []struct {
		scope   ExceptionScope
		in      string
		want    string
		wantErr string
	}{
		{ScopeDomain, " Partner.Example.CO.JP. ", "partner.example.co.jp", ""},
		{ScopeDomain, "*.Example.co.jp", "*.example.co.jp", ""},
		{ScopeDomain, "例え.jp", "xn--r8jz45g.jp", ""},
		{ScopeDomain, "co.jp", "", "public suffix"},
		{ScopeDomain, "*.com", "", "com"},
		{ScopeDomain, "localhost", "", "fully qualified"},
		{ScopeDomain, "a.*.example.com", "", "not a valid host name"},
		{ScopeDomain, "user@example.com", "", "address scope"},
		{ScopeDomain, "exa mple.com", "", ""},
		{ScopeDomain, "", "", "empty"},
		{ScopeAddress, "Orders@Partner.Example.co.jp", "orders@partner.example.co.jp", ""},
		{ScopeAddress, "partner.example.co.jp", "", "local@domain"},
		{ScopeAddress, "a b@example.com", "", "local part"},
		{ScopeAddress, "a,b@example.com", "", "local part"},
		{ScopeAddress, "@example.com", "", "local@domain"},
		{ScopeAddress, "*@example.com", "", "local part"},
		{"sender", "example.com", "", "unknown exception scope"},
	}
	for _, tt := range tests {
		got, err := NormalizeExceptionValue(tt.scope, tt.in)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NormalizeExceptionValue(%s, %q) = %q, %v; want an error containing %q", tt.scope, tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeExceptionValue(%s, %q) = %q, %v; want %q", tt.scope, tt.in, got, err, tt.want)
		}
	}
}

func TestRequiredKinds(t *testing.T) {
	dmarc := func(policy Disposition) *Message {
		return &Message{
			FromAddr: "a@example.com", FromDomain: "example.com",
			Verdict: Verdict{Attachment: AttachmentClean, Auth: AuthFail},
			Auth:    &Auth{DMARC: DMARCResult{Result: ResultFail, Policy: policy, Disposition: policy}},
		}
	}
	risky := &Message{Verdict: Verdict{Attachment: AttachmentRisky}, Attachments: []Attachment{{Filename: "a.exe", Risks: []Risk{RiskExecutable}}}}
	both := encryptedFrom("a@example.com")
	both.Attachments = append(both.Attachments, Attachment{Filename: "b.exe", Risks: []Risk{RiskExecutable}})
	subdomain := dmarc(DispositionNone)
	subdomain.Auth.DMARC.Disposition = DispositionReject // sp=reject for a subdomain
	budget := encryptedFrom("a@example.com")
	budget.Attachments[0].Archive.Decrypted = true
	budget.Attachments[0].Archive.NotChecked = NotCheckedBudget
	tests := []struct {
		name string
		m    *Message
		want []ExceptionKind
	}{
		{"clean", &Message{Verdict: Verdict{Attachment: AttachmentClean, Auth: AuthPass}}, nil},
		{"encrypted", encryptedFrom("a@example.com"), []ExceptionKind{KindEncryptedArchive}},
		{"dmarc fail p=reject", dmarc(DispositionReject), []ExceptionKind{KindDMARCFail}},
		{"dmarc fail sp=reject", subdomain, []ExceptionKind{KindDMARCFail}},
		{"dmarc fail p=quarantine", dmarc(DispositionQuarantine), nil},
		{"dmarc fail p=none", dmarc(DispositionNone), nil},
		{"risky", risky, []ExceptionKind{KindRiskyType}},
		{"encrypted and risky", both, []ExceptionKind{KindEncryptedArchive, KindRiskyType}},
		// The PPAP budget (partly time) stopped before the contents were
		// checked: held as if risky, whatever the load was.
		{"opened, contents not checked: budget", budget, []ExceptionKind{KindEncryptedArchive, KindRiskyType}},
	}
	for _, tt := range tests {
		if got := RequiredKinds(tt.m); !slices.Equal(got, tt.want) {
			t.Errorf("%s: RequiredKinds = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCoveringAndAnnotate(t *testing.T) {
	domainEnc := activeException(12, ScopeDomain, "partner.example.co.jp", KindEncryptedArchive)
	addrEnc := activeException(13, ScopeAddress, "orders@partner.example.co.jp", KindEncryptedArchive)
	expired := activeException(14, ScopeDomain, "old.example.com", KindEncryptedArchive)
	expired.Expires = testNow.Add(-time.Hour)
	pending := activeException(15, ScopeDomain, "new.example.com", KindEncryptedArchive)
	pending.ApprovedBy = ""
	selfApproved := activeException(16, ScopeDomain, "self.example.com", KindEncryptedArchive)
	selfApproved.ApprovedBy = "tanaka"
	dmarcOnly := activeException(17, ScopeDomain, "dmarc.example.com", KindDMARCFail)
	wild := activeException(18, ScopeDomain, "*.wild.example.com", KindEncryptedArchive, KindRiskyType)
	p := &Policy{
		Exceptions: []Exception{domainEnc, addrEnc, expired, pending, selfApproved, dmarcOnly, wild},
		Approvers:  []string{"sato", "tanaka"},
	}
	tests := []struct {
		name        string
		m           *Message
		wantID      int
		wantMissing []ExceptionKind
		allows      bool
	}{
		{"domain exception", encryptedFrom("sales@partner.example.co.jp"), 12, nil, true},
		{"address beats domain", encryptedFrom("orders@partner.example.co.jp"), 13, nil, true},
		{"subdomain not covered by plain domain", encryptedFrom("a@mx.partner.example.co.jp"), 0, nil, false},
		{"expired stops applying", encryptedFrom("a@old.example.com"), 0, nil, false},
		{"pending does not apply", encryptedFrom("a@new.example.com"), 0, nil, false},
		{"self-approved does not apply", encryptedFrom("a@self.example.com"), 0, nil, false},
		{"wrong kind", encryptedFrom("a@dmarc.example.com"), 0, nil, false},
		{"wildcard subdomain", encryptedFrom("a@mx.wild.example.com"), 18, nil, true},
		{"wildcard not apex", encryptedFrom("a@wild.example.com"), 0, nil, false},
		{"clean needs nothing", &Message{FromAddr: "a@partner.example.co.jp", FromDomain: "partner.example.co.jp"}, 0, nil, false},
	}
	// encrypted + DMARC reject failure: the encrypted-only exception covers half.
	half := encryptedFrom("sales@partner.example.co.jp")
	half.Verdict.Auth = AuthFail
	half.Auth = &Auth{DMARC: DMARCResult{Result: ResultFail, Policy: DispositionReject}}
	tests = append(tests, struct {
		name        string
		m           *Message
		wantID      int
		wantMissing []ExceptionKind
		allows      bool
	}{"partial cover", half, 12, []ExceptionKind{KindDMARCFail}, false})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.m.Exception = &ExceptionMatch{ID: 99} // stale: Annotate must replace it
			p.Annotate(tt.m, testNow)
			x := tt.m.Exception
			if tt.wantID == 0 {
				if x != nil {
					t.Fatalf("Exception = %+v, want none", x)
				}
				if tt.m.HasException() {
					t.Error("HasException = true without an exception")
				}
				return
			}
			if x == nil || x.ID != tt.wantID {
				t.Fatalf("Exception = %+v, want ID %d", x, tt.wantID)
			}
			if !slices.Equal(x.Missing, tt.wantMissing) {
				t.Errorf("Missing = %v, want %v", x.Missing, tt.wantMissing)
			}
			if x.Allows() != tt.allows {
				t.Errorf("Allows = %v, want %v", x.Allows(), tt.allows)
			}
			if !tt.m.HasException() {
				t.Error("HasException = false with an exception set")
			}
		})
	}
}

func TestExceptionMatchString(t *testing.T) {
	exp := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	full := &ExceptionMatch{ID: 12, ApprovedBy: "sato", Expires: exp, Kinds: []ExceptionKind{KindEncryptedArchive}}
	if got, want := full.String(), "allowed by exception 12, approved by sato, expires 2027-03-01"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	part := &ExceptionMatch{ID: 12, ApprovedBy: "sato", Expires: exp, Kinds: []ExceptionKind{KindEncryptedArchive}, Missing: []ExceptionKind{KindDMARCFail}}
	if got, want := part.String(), "exception 12 (approved by sato, expires 2027-03-01) covers encrypted-archive but not dmarc-fail"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestExpiring(t *testing.T) {
	soon := activeException(1, ScopeDomain, "soon.example.com", KindEncryptedArchive)
	soon.Expires = testNow.Add(13 * 24 * time.Hour)
	sooner := activeException(2, ScopeDomain, "sooner.example.com", KindEncryptedArchive)
	sooner.Expires = testNow.Add(24 * time.Hour)
	later := activeException(3, ScopeDomain, "later.example.com", KindEncryptedArchive)
	later.Expires = testNow.Add(15 * 24 * time.Hour)
	gone := activeException(4, ScopeDomain, "gone.example.com", KindEncryptedArchive)
	gone.Expires = testNow.Add(-time.Hour)
	p := &Policy{Exceptions: []Exception{soon, sooner, later, gone}, Approvers: []string{"sato"}}
	var ids []int
	for _, e := range p.Expiring(testNow) {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []int{2, 1}) {
		t.Errorf("Expiring = %v, want [2 1]", ids)
	}
}
