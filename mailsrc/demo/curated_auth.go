package demo

import (
	"bytes"
	"time"

	"mxaudit/model"
)

// authSpecs cover the sender-authentication scenarios. Most carry no
// attachment or a clean one: they are in quarantine because of DMARC, or
// by mistake.
func authSpecs() []*mailSpec {
	var specs []*mailSpec
	add := func(s *mailSpec) { specs = append(specs, s) }

	t := at(1, 12, 0)
	add(&mailSpec{Key: "newsletter", Time: t, From: []addr{{"エグザンプル株式会社", "info@example.co.jp"}}, To: []addr{tanaka},
		Charset: csUTF8, Subject: "【エグザンプル通信】11月号",
		Text: text(csUTF8, "エグザンプル通信 11月号\n\n今月のトピックス ...\n"),
		HTML: html(csUTF8, "<html><body><h1>エグザンプル通信 11月号</h1><p>今月のトピックス ...</p></body></html>"),
		Env:  envelope{MailFrom: "bounce-7731@mailer.example.net", ClientIP: "198.51.100.140", Helo: "o1.mailer.example.net", RDNS: "o1.mailer.example.net", SPF: model.ResultPass},
		DKIM: []signing{sign("mailer.example.net", "m1", keyRSA2048, t)}, TrustedAR: true,
		Want: Expect{Scenario: "DKIM pass but unaligned (d=mailer.example.net), SPF pass unaligned: DMARC fail, quarantine"}})

	t = at(1, 15, 0)
	bad := sign("example.com", "s2025", keyRSA2048, t)
	bad.Result, bad.Why = model.ResultFail, "signature does not match the published (rotated) key"
	add(&mailSpec{Key: "two-sigs", Time: t.In(time.FixedZone("EST", -5*3600)), From: []addr{emily}, To: []addr{tanaka},
		Subject: "Meeting notes",
		Text:    text(csUTF8, "Hi,\n\nNotes from Thursday's meeting attached.\n\nEmily\n"),
		Atts:    []attachmentSpec{plainFile("Meeting_notes.pdf", nameASCII, "application/pdf", pdfFile("Meeting notes"))},
		Env:     envCom6,
		DKIM:    []signing{sign("example.com", "s2026", keyRSA2048, t), bad},
		Want:    Expect{Scenario: "two DKIM signatures, one good one bad; clean PDF"}})

	t = at(2, 6, 0)
	add(&mailSpec{Key: "tampered", Time: t, From: []addr{sato}, To: []addr{keiri}, Charset: csISO2022,
		Subject: "【重要】振込先口座変更のお知らせ",
		Text:    text(csISO2022, "経理部 御中\n\n振込先口座を下記に変更いたしました。\n口座番号：1234567\n\n佐藤\n"),
		Env:     spoofed("203.0.113.77", "mail.example.co.jp", model.ResultSoftFail),
		DKIM:    []signing{{Spec: dkimSpec{Domain: "example.co.jp", Selector: "ed1", Key: keyEd25519, Time: t}, Result: model.ResultFail, Why: "body hash mismatch: the account number was changed after signing"}},
		Tamper: func(b []byte) []byte {
			return bytes.Replace(b, encodeCharset(csISO2022, "1234567"), encodeCharset(csISO2022, "7654321"), 1)
		},
		Want: Expect{Scenario: "business e-mail compromise: body changed after signing, SPF softfail"}})

	t = at(2, 7, 0)
	add(&mailSpec{Key: "revoked", Time: t, From: []addr{takahashi}, To: []addr{tanaka}, Charset: csISO2022, Subject: "年末のご挨拶",
		Text: text(csISO2022, "田中様\n\n本年も大変お世話になりました。\n\n高橋\n"),
		Env:  envFor("198.51.100.22", "mail2.example.co.jp", model.ResultPass),
		DKIM: []signing{{Spec: dkimSpec{Domain: "example.co.jp", Selector: "old2023", Key: keyRSA1024, Time: t}, Result: model.ResultPermError, Why: "key revoked (empty p=)"}},
		Want: Expect{Scenario: "DKIM key revoked; DMARC passes on SPF"}})

	t = at(2, 8, 0)
	add(&mailSpec{Key: "unknown-selector", Time: t, From: []addr{{"Example Corp HR", "hr@example.com"}}, To: []addr{tanaka},
		Subject: "Updated benefits enrollment",
		Text:    text(csUTF8, "Please log in to update your benefits enrollment.\n"),
		Env:     spoofed("198.51.100.99", "mail.example.com", model.ResultFail),
		DKIM:    []signing{{Spec: dkimSpec{Domain: "example.com", Selector: "missing", Key: keyRSA2048, Time: t}, Result: model.ResultPermError, Why: "no key published for the selector"}},
		Want:    Expect{Scenario: "DKIM selector not in DNS, SPF fail: DMARC reject"}})

	t = at(2, 8, 30)
	add(&mailSpec{Key: "expired", Time: t, From: []addr{john}, To: []addr{tanaka}, Subject: "Re: Quotation for Q1 2027",
		Text: text(csUTF8, "Thanks, see you next week.\n"),
		Env:  envCom,
		DKIM: []signing{{Spec: dkimSpec{Domain: "example.com", Selector: "s2026", Key: keyRSA2048, Time: t, Expire: t.Add(time.Hour)}, Result: model.ResultPermError, Why: "signature expired (x= one hour after t=)"}},
		Want: Expect{Scenario: "expired DKIM signature; DMARC passes on SPF"}})

	t = at(1, 16, 0)
	add(&mailSpec{Key: "spf-mx", Time: t, From: []addr{john}, To: []addr{tanaka}, Subject: "Q4 report",
		Text: text(csUTF8, "Q4 figures attached.\n"),
		Atts: []attachmentSpec{plainFile("Q4_report.xlsx", nameASCII, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ooxmlFile("xlsx", "Q4"))},
		Env:  envComMX, DKIM: []signing{sign("example.com", "ed", keyEd25519, t)}, TrustedAR: true,
		Want: Expect{Scenario: "SPF pass through the mx mechanism; Ed25519 DKIM; clean xlsx held by mistake"}})

	t = at(1, 17, 0)
	add(&mailSpec{Key: "spf-include", Time: t, From: []addr{{"エグザンプル株式会社 総務", "soumu@example.co.jp"}}, To: []addr{soumu},
		Charset: csISO2022, Subject: "年末年始休業のお知らせ",
		Text: text(csISO2022, "各位\n\n年末年始の休業期間をお知らせします。\n"),
		Env:  envFor("198.51.100.141", "o2.mailer.example.net", model.ResultPass),
		DKIM: []signing{sign("example.co.jp", "rsa1", keyRSA2048, t)},
		Want: Expect{Scenario: "SPF pass through include:; aligned RSA DKIM"}})

	add(&mailSpec{Key: "spf-neutral", Time: at(1, 18, 0), From: []addr{hiroshi}, To: []addr{tanaka}, Charset: csISO2022, Subject: "お久しぶりです",
		Text: text(csISO2022, "田中さん\n\nお久しぶりです。木村です。\n"),
		Env:  spoofed("203.0.113.66", "[203.0.113.66]", model.ResultNeutral),
		Want: Expect{Scenario: "SPF neutral (?all), no DKIM, no DMARC record"}})

	add(&mailSpec{Key: "sp-reject", Time: at(2, 20, 0), From: []addr{{"大阪支店 システム管理", "admin@osaka.example.co.jp"}}, To: []addr{tanaka},
		Charset: csISO2022, Subject: "システムメンテナンスのお知らせ",
		Text: text(csISO2022, "下記URLよりログインしてください。\n"),
		Env:  spoofed("203.0.113.252", "mail.osaka.example.co.jp", model.ResultFail),
		Want: Expect{Scenario: "spoofed subdomain: SPF fail, record at the organizational domain, sp=reject"}})

	add(&mailSpec{Key: "pct50", Time: at(2, 21, 0), From: []addr{{"ロジスティクス株式会社", "notice@logistics.example"}}, To: []addr{sales},
		Charset: csUTF8, Subject: "配送料金改定のお知らせ",
		Text: text(csUTF8, "配送料金の改定についてお知らせします。\n"),
		Env:  spoofed("2001:db8:bad::66", "mx-out.logistics.example", model.ResultFail),
		Want: Expect{Scenario: "DMARC fail with p=quarantine; pct=50"}})

	t = at(2, 22, 0)
	add(&mailSpec{Key: "relaxed-sub", Time: t, From: []addr{{"Example Alerts", "system@alert.example.com"}}, To: []addr{tanaka},
		Subject: "Weekly security digest",
		Text:    text(csUTF8, "No incidents this week.\n"),
		Env:     envelope{MailFrom: "bounce@example.com", ClientIP: "192.0.2.30", Helo: "alerts.example.com", RDNS: "alerts.example.com", SPF: model.ResultPass},
		Want:    Expect{Scenario: "subdomain From, SPF for the parent domain: relaxed alignment passes"}})

	t = at(2, 22, 30)
	add(&mailSpec{Key: "strict-sub", Time: t, From: []addr{{"Example Org Alerts", "system@alert.example.org"}}, To: []addr{tanaka},
		Subject: "Weekly security digest",
		Text:    text(csUTF8, "No incidents this week.\n"),
		Env:     envelope{MailFrom: "bounce@example.org", ClientIP: "203.0.113.141", Helo: "out.example.org", RDNS: "out.example.org", SPF: model.ResultPass},
		DKIM:    []signing{sign("example.org", "k1", keyEd25519, t)},
		Want:    Expect{Scenario: "subdomain From under adkim=s/aspf=s: both pass, neither aligns, DMARC fail"}})

	add(&mailSpec{Key: "no-dmarc", Time: at(1, 19, 0), From: []addr{hiroshi}, To: []addr{tanaka}, Charset: csISO2022, Subject: "忘年会のご案内",
		Text: text(csISO2022, "田中さん\n\n今年も忘年会を開催します。\n"),
		Env:  envNet,
		Want: Expect{Scenario: "no DMARC record; SPF pass through a: — aligned, so the verdict is pass"}})

	add(&mailSpec{Key: "forged-ar", Time: at(2, 23, 0), From: []addr{{"システム管理者", "admin@example.co.jp"}}, To: []addr{tanaka},
		Charset: csISO2022, Subject: "メールボックスの容量が上限に達しました",
		Text: text(csISO2022, "以下のリンクから容量を追加してください。\n"),
		Env:  spoofed("203.0.113.250", "mail.example.co.jp", model.ResultSoftFail), ForgedAR: "mx.example.co.jp",
		Want: Expect{Scenario: "phishing with a forged Authentication-Results claiming pass"}})

	t = at(3, 8, 10)
	add(&mailSpec{Key: "clean-pdf", Time: t, From: []addr{suzuki}, To: []addr{tanaka}, Charset: csISO2022, Subject: "議事録送付",
		Text: text(csISO2022, "田中様\n\n先日の議事録をお送りします。\n\n鈴木\n"),
		Atts: []attachmentSpec{plainFile("議事録_1120.pdf", nameRFC2047JIS, "application/pdf", pdfFile("Minutes 1120"))},
		Env:  envOsaka, DKIM: []signing{sign("osaka.example.co.jp", "ed1", keyEd25519, t)},
		Want: Expect{Scenario: "clean PDF held by mistake"}})

	t = at(3, 8, 30)
	add(&mailSpec{Key: "clean-png", Time: t, From: []addr{emily}, To: []addr{tanaka}, Subject: "Screenshot",
		Text: text(csUTF8, "Here is the screenshot you asked for.\n"),
		Atts: []attachmentSpec{plainFile("screenshot.png", nameASCII, "image/png", pngFile(7))},
		Env:  envCom, DKIM: []signing{sign("example.com", "s2026", keyRSA2048, t)}, TrustedAR: true,
		Want: Expect{Scenario: "clean PNG held by mistake"}})

	t = at(3, 8, 45)
	add(&mailSpec{Key: "clean-xlsx", Time: t, From: []addr{yamada}, To: []addr{tanaka}, Charset: csISO2022, Subject: "在庫一覧の送付",
		Text: text(csISO2022, "田中様\n\n在庫一覧をお送りします。\n\n山田\n"),
		Atts: []attachmentSpec{plainFile("在庫一覧_202611.xlsx", nameRFC2231, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ooxmlFile("xlsx", "stock"))},
		Env:  envPartner, DKIM: []signing{sign("partner.example.co.jp", "sel1", keyRSA2048, t)}, TrustedAR: true,
		Want: Expect{Scenario: "clean xlsx (no macros) held by mistake"}})
	return specs
}
