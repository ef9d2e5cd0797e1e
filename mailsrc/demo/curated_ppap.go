package demo

import (
	"time"

	"mxaudit/model"
)

// curatedSpecs returns every curated message, in no particular order.
func curatedSpecs() []*mailSpec {
	var specs []*mailSpec
	specs = append(specs, ppapSpecs()...)
	specs = append(specs, riskySpecs()...)
	specs = append(specs, hostileSpecs()...)
	specs = append(specs, authSpecs()...)
	return specs
}

// ppapPair is a PPAP exchange: the mail with the encrypted ZIP and its
// password notifications.
type ppapPair struct {
	zip       *mailSpec
	password  string
	followups []followup
}

// followup is one password notification sent after the ZIP mail.
type followup struct {
	after   time.Duration
	spec    *mailSpec // From, To, Env, DKIM are copied from the ZIP mail when empty
	stated  string    // the password as the mail states it, folded to ASCII
	correct bool
}

// expand links the pair's mails through their Expect and returns them.
func (p ppapPair) expand(key string) []*mailSpec {
	p.zip.Key = key
	p.zip.Want.Password = p.password
	out := []*mailSpec{p.zip}
	for i, f := range p.followups {
		s := f.spec
		s.Key = key + "-pw" + string(rune('1'+i))
		s.Time = p.zip.Time.Add(f.after)
		if s.From == nil {
			s.From = p.zip.From
		}
		if s.To == nil {
			s.To, s.Cc = p.zip.To, p.zip.Cc
		}
		if s.Env.ClientIP == "" {
			s.Env = p.zip.Env
		}
		if s.DKIM == nil {
			for _, d := range p.zip.DKIM {
				d.Spec.Time = s.Time
				s.DKIM = append(s.DKIM, d)
			}
		}
		s.TrustedAR = p.zip.TrustedAR
		if s.Charset == "" {
			s.Charset = p.zip.Charset
		}
		s.passwordForKey = key
		s.Want.StatedPassword, s.Want.PasswordCorrect = f.stated, f.correct
		if f.correct && p.zip.passwordMailKey == "" {
			p.zip.passwordMailKey = s.Key
		}
		if s.Want.Scenario == "" {
			s.Want.Scenario = "password notification for " + key
		}
		out = append(out, s)
	}
	return out
}

const outlook = "Microsoft Outlook 16.0"

// ppapSpecs is the bulk of a Japanese Monday quarantine: encrypted ZIPs
// and their passwords, in every variant a pairing feature must handle.
func ppapSpecs() []*mailSpec {
	var specs []*mailSpec
	add := func(key string, p ppapPair) { specs = append(specs, p.expand(key)...) }

	t := at(0, 17, 42)
	add("mitsumori", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{yamada}, To: []addr{tanaka}, Cc: []addr{kobayashi}, Charset: csISO2022,
			Subject: "見積書送付の件", Mailer: outlook,
			Text: text(csISO2022, "さくら商事\n田中様\n\nいつもお世話になっております。\nパートナー商事の山田です。\n\nご依頼いただきました見積書を送付いたします。\nパスワードは別途お送りいたします。\n\nよろしくお願いいたします。\n\n--\n株式会社パートナー商事 営業部\n山田 太郎\n"),
			Atts: []attachmentSpec{zipAttachment("見積書_2026-11.zip", nameRFC2231, model.EncryptionZipCrypto, "Xk7#pQ2m",
				entry("見積書_さくら商事様.pdf", true, pdfFile("Quotation 2026-11")),
				entry("明細.xlsx", true, ooxmlFile("xlsx", "明細")))},
			Env: envPartner, DKIM: []signing{sign("partner.example.co.jp", "sel1", keyRSA2048, t)}, TrustedAR: true,
			Want: Expect{Scenario: "PPAP: ZipCrypto, CP932 entry names, RFC 2231 file name"}},
		password: "Xk7#pQ2m",
		followups: []followup{{after: 3 * time.Minute, stated: "Xk7#pQ2m", correct: true, spec: &mailSpec{
			Subject: "【パスワード通知】Re: 見積書送付の件", Mailer: outlook,
			Text: text(csISO2022, "田中様\n\n先ほどお送りしたファイルのパスワードをお知らせします。\nパスワード：Xk7#pQ2m\n\n山田\n")}}},
	})

	t = at(0, 18, 10)
	add("seikyu", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{sato}, To: []addr{keiri}, Charset: csISO2022,
			Subject: "【ご請求書】2026年11月分", Mailer: outlook,
			Text: text(csISO2022, "さくら商事 経理部 御中\n\n2026年11月分のご請求書をお送りいたします。\nご査収のほどよろしくお願い申し上げます。\n\n株式会社エグザンプル 経理課\n佐藤 花子\n"),
			Atts: []attachmentSpec{zipAttachment("請求書_202611.zip", nameRFC2047JIS, model.EncryptionAES256, "1234abcd",
				entry("請求書_202611.pdf", false, pdfFile("Invoice 2026-11")))},
			Env: envExample, DKIM: []signing{sign("example.co.jp", "ed1", keyEd25519, t)}, TrustedAR: true,
			Want: Expect{Scenario: "PPAP: AES-256, UTF-8 entry names, ISO-2022-JP file name"}},
		password: "1234abcd",
		followups: []followup{{after: 3 * time.Minute, stated: "1234abcd", correct: true, spec: &mailSpec{
			Subject: "【パスワード】請求書_202611.zip", Mailer: outlook,
			Text: text(csShiftJIS, "経理部 御中\n\n先ほどの請求書のパスワードをお送りします。\n\nＰＷ：１２３４ａｂｃｄ\n\n佐藤\n"),
			Want: Expect{Scenario: "password in full-width characters, Shift_JIS body"}}}},
	})

	t = at(0, 19, 5)
	add("hacchu", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{suzuki}, To: []addr{sales}, Charset: csShiftJIS,
			Subject: "発注書送付のご案内", Mailer: "Becky! ver. 2.81.04",
			Text: &textBody{Text: "さくら商事 営業部 御中\n\n発注書を送付いたします。ご確認ください。\n\n株式会社エグザンプル 大阪支店\n鈴木 一郎\n", Charset: csEUCJP},
			Atts: []attachmentSpec{zipAttachment("発注書_No.4471.zip", nameRFC2231, model.EncryptionZipCrypto, "hK29xQ!m",
				entry("発注書_No.4471.xlsx", true, ooxmlFile("xlsx", "No.4471")))},
			Env: envOsaka, DKIM: []signing{sign("osaka.example.co.jp", "ed1", keyEd25519, t)},
			Want: Expect{Scenario: "PPAP: Shift_JIS subject, EUC-JP body, subdomain sender"}},
		password: "hK29xQ!m",
		followups: []followup{{after: 3 * time.Minute, stated: "hK29xQ!m", correct: true, spec: &mailSpec{
			Subject: "パスワードのご連絡", Mailer: "Becky! ver. 2.81.04",
			HTML: html(csUTF8, "<html><body><p>営業部 御中</p><p>発注書ファイルのパスワード: <b>hK29xQ!m</b></p><p>鈴木</p></body></html>"),
			Want: Expect{Scenario: "password in an HTML-only mail"}}}},
	})

	t = at(0, 20, 30)
	add("nouhin", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{ito}, To: []addr{tanaka}, Charset: csISO2022, Subject: "納品書送付の件",
			Text: text(csISO2022, "田中様\n\n納品書をお送りします。\n\n伊藤\n"),
			Atts: []attachmentSpec{zipAttachment("納品書_1120.zip", nameRFC2047UTF8, model.EncryptionAES256, "Np8$wZ4r",
				entry("納品書_1120.pdf", true, pdfFile("Delivery note 1120")))},
			Env: envPartner, DKIM: []signing{sign("partner.example.co.jp", "sel1", keyRSA2048, t)}, TrustedAR: true,
			Want: Expect{Scenario: "PPAP: AES-256 with CP932 names, RFC 2047 UTF-8 file name"}},
		password: "Np8$wZ4r",
		followups: []followup{{after: 2 * time.Minute, stated: "Np8$wZ4r", correct: true, spec: &mailSpec{
			Subject: "パスワード Np8$wZ4r (納品書_1120.zip)",
			Text:    text(csISO2022, "件名に記載のとおりです。\n伊藤\n"),
			Want:    Expect{Scenario: "password in the subject"}}}},
	})

	t = at(0, 21, 0)
	add("keiyaku", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{ito}, To: []addr{tanaka}, Charset: csISO2022, Subject: "契約書ドラフトのご確認",
			Text: text(csISO2022, "田中様\n\n契約書のドラフト第3版をお送りします。\n\n伊藤\n"),
			Atts: []attachmentSpec{zipAttachment("契約書ドラフト.zip", nameRFC2231, model.EncryptionZipCrypto, "Ct5&yH8j",
				entry("契約書_ドラフト_v3.docx", false, ooxmlFile("docx", "draft v3")))},
			Env: envPartner, DKIM: []signing{sign("partner.example.co.jp", "sel1", keyRSA2048, t)},
			Want: Expect{Scenario: "PPAP: ZipCrypto, UTF-8 names; only a wrong password follows"}},
		password: "Ct5&yH8j",
		followups: []followup{{after: 4 * time.Minute, stated: "Ct5&yH8i", correct: false, spec: &mailSpec{
			Subject: "【パスワード通知】契約書ドラフトのご確認",
			Text:    text(csISO2022, "パスワード：Ct5&yH8i\n"),
			Want:    Expect{Scenario: "wrong password (typo), never corrected"}}}},
	})

	t = at(1, 10, 15)
	add("haisou", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{watanabe}, To: []addr{sales, soumu}, Charset: csUTF8, Subject: "配送スケジュール資料（12月）",
			Text: text(csUTF8, "ご担当者様\n\n12月の配送スケジュールを送付します。\n\nロジスティクス株式会社\n渡辺\n"),
			Atts: []attachmentSpec{zipAttachment("配送スケジュール_12月.zip", nameRFC2231, model.EncryptionAES128, "Lg3@vB7n",
				entry("配送スケジュール_12月.xlsx", false, ooxmlFile("xlsx", "December")))},
			Env: envLogi, DKIM: []signing{sign("logistics.example", "dkim", keyEd25519, t)},
			Want: Expect{Scenario: "PPAP: AES-128, IPv6 sender, UTF-8 headers"}},
		password: "Lg3@vB7n",
		followups: []followup{
			{after: 3 * time.Minute, stated: "Lg3@vB7m", correct: false, spec: &mailSpec{
				Subject: "パスワード通知", Text: text(csUTF8, "パスワード：Lg3@vB7m\n"),
				Want: Expect{Scenario: "first of two candidates: wrong"}}},
			{after: 10 * time.Minute, stated: "Lg3@vB7n", correct: true, spec: &mailSpec{
				Subject: "【訂正】パスワード再送", Text: text(csUTF8, "先ほどのパスワードに誤りがありました。失礼いたしました。\n正：Lg3@vB7n\n"),
				Want: Expect{Scenario: "second of two candidates: the correction"}}},
		},
	})

	t = at(1, 11, 0)
	add("kaigi", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{nakamura}, To: []addr{tanaka}, Charset: csISO2022, Subject: "会議資料",
			Text: &textBody{Text: "田中様\n\n来週の会議資料です。\n\n中村\n", Charset: csEUCJP},
			Atts: []attachmentSpec{zipAttachment("会議資料.zip", nameRFC2231, model.EncryptionZipCrypto, "Mt6%qR1s",
				entry("会議資料.docx", true, ooxmlFile("docx", "meeting")))},
			Env: envExample, DKIM: []signing{sign("example.co.jp", "rsa1", keyRSA2048, t)},
			Want: Expect{Scenario: "PPAP without any password mail"}},
		password: "Mt6%qR1s",
	})

	t = at(0, 2, 30) // 09:30 on Thursday in California
	add("quote-en", ppapPair{
		zip: &mailSpec{Time: t.In(time.FixedZone("PST", -8*3600)), From: []addr{john}, To: []addr{tanaka}, Subject: "Quotation for Q1 2027",
			Text: text(csUTF8, "Dear Mr. Tanaka,\n\nPlease find attached our quotation for Q1 2027.\nI will send the password in a separate email.\n\nBest regards,\nJohn Smith\nExample Corp.\n"),
			Atts: []attachmentSpec{zipAttachment("Quotation_Q1-2027.zip", nameASCII, model.EncryptionAES256, "7hG$2kPq",
				entry("Quotation_Q1-2027.pdf", false, pdfFile("Quotation Q1 2027")))},
			Env: envCom, DKIM: []signing{sign("example.com", "s2026", keyRSA2048, t)}, TrustedAR: true,
			Want: Expect{Scenario: "English PPAP, AES-256"}},
		password: "7hG$2kPq",
		followups: []followup{{after: 4 * time.Minute, stated: "7hG$2kPq", correct: true, spec: &mailSpec{
			Subject: "Password for the quotation", Text: text(csUTF8, "Hi Ichiro,\n\nPassword: 7hG$2kPq\n\nBest regards,\nJohn\n"),
			Want: Expect{Scenario: "English password phrasing"}}}},
	})

	t = at(2, 2, 13)
	add("ppap-exe", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{{"請求センター", "billing@invoice-center.example"}}, To: []addr{keiri}, Charset: csUTF8,
			Subject: "【重要】お支払いのご案内",
			Text:    text(csUTF8, "お客様各位\n\nお支払い明細を添付いたします。パスワードは別メールでお送りします。\n"),
			Atts: []attachmentSpec{zipAttachment("お支払い明細.zip", nameRFC2231, model.EncryptionZipCrypto, "2580",
				entry("お支払い明細.exe", true, exeFile("ppap-exe")))},
			Env: envInvoice, DKIM: []signing{sign("invoice-center.example", "default", keyRSA2048, t)},
			Want: Expect{Scenario: "malware as PPAP: .exe inside ZipCrypto; the sender's own domain passes DMARC"}},
		password: "2580",
		followups: []followup{{after: 3 * time.Minute, stated: "2580", correct: true, spec: &mailSpec{
			Subject: "パスワードのお知らせ", Text: text(csUTF8, "解凍パスワード：2580\n")}}},
	})

	t = at(2, 3, 40)
	add("ppap-docm", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{hiroshi}, To: []addr{soumu}, Charset: csISO2022, Subject: "注文書の件",
			Text: text(csISO2022, "ご担当者様\n\n注文書を送付します。マクロを有効にしてご覧ください。\n"),
			Atts: []attachmentSpec{zipAttachment("注文書.zip", nameRFC2231, model.EncryptionAES256, "order2026",
				entry("注文書_1122.docm", false, ooxmlFile("docm", "order")))},
			Env:  spoofed("203.0.113.66", "[203.0.113.66]", model.ResultNeutral),
			Want: Expect{Scenario: "macro document inside AES-256; SPF neutral, no DMARC record"}},
		password: "order2026",
		followups: []followup{{after: 2 * time.Minute, stated: "order2026", correct: true, spec: &mailSpec{
			Subject: "パスワード", Text: text(csISO2022, "パスワード：order2026\n")}}},
	})

	t = at(2, 5, 5)
	add("ppap-nested", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{yamada}, To: []addr{tanaka}, Charset: csISO2022, Subject: "Re: 見積書送付の件（再送）",
			Text: text(csISO2022, "田中様\n\n先日の見積書に誤りがありましたので再送いたします。\n\n山田\n"),
			Atts: []attachmentSpec{zipAttachment("見積書_再送.zip", nameRFC2231, model.EncryptionZipCrypto, "Qz8!mK3w",
				nested("見積書.zip", model.EncryptionAES256, "Qz8!mK3w",
					entry("見積書.pdf.exe", false, exeFile("nested"))))},
			Env:      spoofed("198.51.100.99", "mail.partner.example.co.jp", model.ResultFail),
			ForgedAR: "mx.partner.example.co.jp",
			Want:     Expect{Scenario: "spoofed partner: nested encrypted ZIP hiding invoice.pdf.exe; forged Authentication-Results"}},
		password: "Qz8!mK3w",
		followups: []followup{{after: 2 * time.Minute, stated: "Qz8!mK3w", correct: true, spec: &mailSpec{
			Subject: "【パスワード通知】Re: 見積書送付の件（再送）", Text: text(csISO2022, "パスワード：Qz8!mK3w\n"),
			ForgedAR: "mx.partner.example.co.jp"}}},
	})

	t = at(3, 7, 50)
	add("hikitsugi", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{ito}, To: []addr{tanaka}, Cc: []addr{kobayashi}, Charset: csISO2022, Subject: "引継ぎ資料の送付",
			Text: text(csISO2022, "田中様\n\n担当変更に伴う引継ぎ資料です。\n\n伊藤\n"),
			Atts: []attachmentSpec{zipAttachment("引継ぎ資料.zip", nameRFC2047JIS, model.EncryptionZipCrypto, "Jp4^bN6c",
				entry("引継ぎ/顧客一覧.xlsx", true, ooxmlFile("xlsx", "customers")),
				entry("引継ぎ/案件メモ.txt", true, encodeCharset(csShiftJIS, crlf("案件メモ\n"))))},
			Env: envPartner, DKIM: []signing{sign("partner.example.co.jp", "sel1", keyRSA2048, t)}, TrustedAR: true,
			Want: Expect{Scenario: "PPAP with a folder inside, CP932 names"}},
		password: "Jp4^bN6c",
		followups: []followup{{after: 2 * time.Minute, stated: "Jp4^bN6c", correct: true, spec: &mailSpec{
			Subject: "引継ぎ資料のパスワード", Text: text(csISO2022, "解凍パスワード：Jp4^bN6c\n")}}},
	})

	t = at(3, 8, 20)
	add("ringi", ppapPair{
		zip: &mailSpec{Time: t, From: []addr{nakamura}, To: []addr{tanaka}, Charset: csISO2022, Subject: "稟議書（押印済）",
			Text: text(csISO2022, "田中様\n\n押印済みの稟議書です。\n\n中村\n"),
			Atts: []attachmentSpec{zipAttachment("稟議書.zip", nameRFC2231, model.EncryptionAES256, "Rg7*tY2e",
				entry("稟議書_押印済.pdf", false, pdfFile("Ringi")))},
			Env: envExample, DKIM: []signing{sign("example.co.jp", "rsa1", keyRSA2048, t)}, TrustedAR: true,
			Want: Expect{Scenario: "PPAP, AES-256"}},
		password: "Rg7*tY2e",
		followups: []followup{{after: time.Minute, stated: "Rg7*tY2e", correct: true, spec: &mailSpec{
			Subject: "パスワード送付", Text: text(csISO2022, "パスワード　：　Rg7*tY2e\n"),
			Want: Expect{Scenario: "password after a full-width colon and spaces"}}}},
	})

	t = at(2, 0, 40)
	add("nda", ppapPair{
		zip: &mailSpec{Time: t.In(time.FixedZone("EST", -5*3600)), From: []addr{emily}, To: []addr{tanaka}, Subject: "Signed NDA",
			Text: text(csUTF8, "Hello,\n\nAttached is the signed NDA (encrypted).\n\nEmily\n"),
			Atts: []attachmentSpec{zipAttachment("NDA_signed.zip", nameASCII, model.EncryptionZipCrypto, "nda-2026-11",
				entry("NDA_signed.pdf", false, pdfFile("NDA")))},
			Env: envCom6, DKIM: []signing{sign("example.com", "ed", keyEd25519, t)},
			Want: Expect{Scenario: "English PPAP, ZipCrypto, IPv6 sender"}},
		password: "nda-2026-11",
		followups: []followup{{after: 5 * time.Minute, stated: "nda-2026-11", correct: true, spec: &mailSpec{
			Subject: "NDA password", Text: text(csUTF8, "The password is: nda-2026-11\n")}}},
	})
	return specs
}
