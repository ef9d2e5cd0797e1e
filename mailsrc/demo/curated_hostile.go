package demo

import (
	"mxaudit/model"
)

// hostileSpecs are messages whose headers attack the reader: terminal
// escape sequences, bidi overrides, C1 controls, undeclared charsets and
// missing or doubled From.
func hostileSpecs() []*mailSpec {
	var specs []*mailSpec
	add := func(s *mailSpec) { specs = append(specs, s) }

	t := at(1, 8, 0)
	add(&mailSpec{Key: "undeclared-jis", Time: t, From: []addr{kato}, To: []addr{tanaka}, Charset: csISO2022,
		SubjectRaw: string(encodeCharset(csISO2022, "打ち合わせ日程の件")), Subject: "打ち合わせ日程の件",
		Text: &textBody{Text: "田中様\n\n来週の打ち合わせ日程についてご相談です。\n\n加藤\n", Charset: csISO2022, NoCharset: true},
		Env:  envExample, DKIM: []signing{sign("example.co.jp", "rsa1", keyRSA2048, t)},
		Want: Expect{Scenario: "raw ISO-2022-JP subject (no encoded word) and body without a charset parameter"}})

	add(&mailSpec{Key: "no-from", Time: at(1, 3, 0), To: []addr{soumu},
		Subject: "Undelivered Mail Returned to Sender",
		Text:    text(csUTF8, "This is the mail system at host smtp.example.net.\n\nI'm sorry to have to inform you that your message could not be delivered.\n"),
		Env:     envelope{MailFrom: "<>", ClientIP: "192.0.2.150", Helo: "smtp.example.net", RDNS: "smtp.example.net", SPF: model.ResultNone},
		Want:    Expect{Scenario: "no From header (DMARC permerror); null envelope sender, SPF on the HELO name"}})

	add(&mailSpec{Key: "two-from", Time: at(1, 4, 0), From: []addr{john, sato}, To: []addr{tanaka},
		Subject: "Joint proposal",
		Text:    text(csUTF8, "Please review our joint proposal.\n"),
		Env:     envCom,
		Want:    Expect{Scenario: "two From addresses: DMARC cannot pick a domain (permerror)"}})

	add(&mailSpec{Key: "osc52", Time: at(1, 23, 10), From: []addr{{"Billing", "billing@kojin-shop.example"}}, To: []addr{keiri},
		SubjectRaw: "Invoice \x1b]52;c;Y3VybCBldmlsfHNo\x07 ready\x1b[2J\x1b[H",
		Subject:    "Invoice \x1b]52;c;Y3VybCBldmlsfHNo\x07 ready\x1b[2J\x1b[H",
		Text:       text(csUTF8, "Your invoice is ready.\n"),
		Env:        envKojin,
		Want:       Expect{Scenario: "OSC 52 clipboard write and CSI clear-screen as raw bytes in the Subject"}})

	add(&mailSpec{Key: "csi", Time: at(2, 0, 20), From: []addr{{"経理部", "keiri@kojin-shop.example"}}, To: []addr{keiri},
		Charset: csUTF8, Subject: "\x1b[2J\x1b[H【至急】振込先変更のお願い",
		Text: text(csUTF8, "振込先口座が変更になりました。\n"),
		Env:  envKojin,
		Want: Expect{Scenario: "CSI clear-screen inside an RFC 2047 encoded Subject"}})

	add(&mailSpec{Key: "osc52-encoded", Time: at(2, 0, 25), From: []addr{{"Billing", "billing@kojin-shop.example"}}, To: []addr{keiri},
		Charset: csUTF8, Subject: "請求書 \x1b]52;c;Y3VybCBldmlsfHNo\x07 送付",
		Text: text(csUTF8, "請求書です。\n"),
		Env:  envKojin,
		Want: Expect{Scenario: "OSC 52 inside an RFC 2047 encoded Subject"}})

	add(&mailSpec{Key: "bidi-from", Time: at(2, 1, 0), From: []addr{{"Example Support \u202emoc.elpmaxe@troppus\u202c", "x9@kojin-shop.example"}},
		To: []addr{tanaka}, Charset: csUTF8, Subject: "Password expiry notice",
		Text: text(csUTF8, "Your password expires today.\n"),
		Env:  envKojin,
		Want: Expect{Scenario: "bidi override in the From display name fakes support@example.com"}})

	add(&mailSpec{Key: "c1-filename", Time: at(2, 1, 30), From: []addr{{"Shop", "shop@kojin-shop.example"}}, To: []addr{kobayashi},
		Subject: "Report",
		Text:    text(csUTF8, "Report attached.\n"),
		Atts:    []attachmentSpec{plainFile("report\u009b2J\u0085final.pdf", nameRFC2231, "application/pdf", pdfFile("Report"))},
		Env:     envKojin,
		Want:    Expect{Scenario: "C1 control characters (CSI U+009B, NEL U+0085) in a file name"}})
	return specs
}
