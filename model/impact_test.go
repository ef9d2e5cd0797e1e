package model

import (
	"slices"
	"testing"
	"time"
)

func TestPartnerDomain(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"org domain from DMARC wins", Message{FromDomain: "osaka.partner.co.jp", Auth: &Auth{DMARC: DMARCResult{OrgDomain: "Partner.co.jp"}}}, "partner.co.jp"},
		{"public suffix list without DMARC", Message{FromDomain: "mail.partner.co.jp"}, "partner.co.jp"},
		{"public suffix list with empty org", Message{FromDomain: "a.b.example.com", Auth: &Auth{}}, "example.com"},
		{"a bare suffix stays itself", Message{FromDomain: "co.jp"}, "co.jp"},
		{"no From", Message{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PartnerDomain(&tt.m); got != tt.want {
				t.Errorf("PartnerDomain = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecipientAddr(t *testing.T) {
	for in, want := range map[string]string{
		"hanako@Example.com":                   "hanako@example.com",
		"Sato, Jiro <jiro@example.com>":        "jiro@example.com",
		"田中 一郎 <ichiro.tanaka@sakura.example>": "ichiro.tanaka@sakura.example",
		"undisclosed-recipients:;":             "",
	} {
		if got := recipientAddr(in); got != want {
			t.Errorf("recipientAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestImpactCounter aggregates a hand-counted set of messages:
//
//	a.example (2 encrypted, one paired, 1 clean) with an active domain
//	  exception for encrypted-archive -> allowed-by-exception
//	b.example (1 encrypted AES, 1 risky; 2 home recipients, 1 outside) -> blocked 2
//	c.example (clean, DMARC fail under p=none)                 -> unaffected
//	old.example outside the period                             -> absent
func TestImpactCounter(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	enc := func(from string, d int, method Encryption, paired bool) *Message {
		m := encryptedFrom(from)
		m.Date = day(d)
		m.To = []string{"Keiri <keiri@home.example>"}
		m.Attachments[0].Archive.Encryption = method
		if paired {
			m.Attachments[0].Archive.PasswordSource = "pw-1"
		}
		return m
	}
	clean := func(from string, d int) *Message {
		m := &Message{FromAddr: from, FromDomain: from[len("x@"):], Date: day(d), To: []string{"sales@home.example"},
			Verdict: Verdict{Attachment: AttachmentClean, Auth: AuthPass}}
		return m
	}
	risky := clean("x@b.example", 12)
	risky.Verdict.Attachment = AttachmentRisky
	risky.To = []string{"sales@home.example", "someone@outside.example"}
	spoof := clean("x@c.example", 13)
	spoof.Verdict.Auth = AuthFail
	spoof.Auth = &Auth{DMARC: DMARCResult{Result: ResultFail, OrgDomain: "c.example", Policy: DispositionNone}}
	msgs := []*Message{
		enc("x@a.example", 10, EncryptionZipCrypto, true),
		enc("y@a.example", 11, EncryptionZipCrypto, false),
		clean("x@a.example", 14),
		enc("x@b.example", 11, EncryptionAES256, false),
		risky,
		spoof,
		clean("x@old.example", 1),
	}
	exc := activeException(7, ScopeDomain, "a.example", KindEncryptedArchive)
	pol := &Policy{Exceptions: []Exception{exc}, Approvers: []string{"sato"}}
	c := NewImpactCounter(pol, ImpactOptions{Since: day(5), HomeDomains: []string{"home.example"}, Now: testNow})
	for _, m := range msgs {
		c.Add(m)
	}
	got := c.Partners()
	names := make([]string, len(got))
	for i, p := range got {
		names[i] = p.Domain
	}
	if want := []string{"b.example", "a.example", "c.example"}; !slices.Equal(names, want) {
		t.Fatalf("order %v, want %v", names, want)
	}
	tests := []struct {
		p                                        Partner
		messages, encrypted, paired, risky, fail int
		blocked, allowed, recipients             int
		verdict                                  ImpactVerdict
		exceptionID                              int
		first, last                              time.Time
		encryption                               map[Encryption]int
	}{
		{got[0], 2, 1, 0, 1, 0, 2, 0, 2, ImpactBlocked, 0, day(11), day(12), map[Encryption]int{EncryptionAES256: 1}},
		{got[1], 3, 2, 1, 0, 0, 0, 2, 2, ImpactAllowedByException, 7, day(10), day(14), map[Encryption]int{EncryptionZipCrypto: 2}},
		{got[2], 1, 0, 0, 0, 1, 0, 0, 1, ImpactUnaffected, 0, day(13), day(13), map[Encryption]int{}},
	}
	for _, tt := range tests {
		p := tt.p
		t.Run(p.Domain, func(t *testing.T) {
			if p.Messages != tt.messages || p.Encrypted != tt.encrypted || p.WithPasswordMail != tt.paired ||
				p.Risky != tt.risky || p.DMARCFail != tt.fail || p.Blocked != tt.blocked || p.Allowed != tt.allowed {
				t.Errorf("counts %+v", p)
			}
			if p.RecipientCount != tt.recipients || len(p.Recipients) != tt.recipients {
				t.Errorf("recipients %v (%d), want %d", p.Recipients, p.RecipientCount, tt.recipients)
			}
			if p.VerdictIfEnforced != tt.verdict {
				t.Errorf("verdict %s, want %s", p.VerdictIfEnforced, tt.verdict)
			}
			if id := 0; p.Exception != nil {
				id = p.Exception.ID
				if id != tt.exceptionID {
					t.Errorf("exception %d, want %d", id, tt.exceptionID)
				}
			} else if tt.exceptionID != 0 {
				t.Errorf("no exception, want %d", tt.exceptionID)
			}
			if !p.FirstSeen.Equal(tt.first) || !p.LastSeen.Equal(tt.last) {
				t.Errorf("seen %v..%v, want %v..%v", p.FirstSeen, p.LastSeen, tt.first, tt.last)
			}
			if len(p.Encryption) != len(tt.encryption) {
				t.Errorf("encryption %v, want %v", p.Encryption, tt.encryption)
			}
			for k, v := range tt.encryption {
				if p.Encryption[k] != v {
					t.Errorf("encryption %v, want %v", p.Encryption, tt.encryption)
				}
			}
		})
	}
}
