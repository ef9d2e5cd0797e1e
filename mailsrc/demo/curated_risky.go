package demo

import (
	"bytes"
	"sync"
	"time"

	"mxaudit/model"
)

var (
	bombOnce sync.Once
	bombZip  []byte
	bombErr  error
)

// cachedBomb builds the 200 MiB zip bomb once per process: deflating the
// zeros is the most expensive step of the whole demo (about half a second).
func cachedBomb() ([]byte, error) {
	bombOnce.Do(func() { bombZip, bombErr = zipBomb(DefaultBase.Add(-50 * time.Hour)) })
	return bombZip, bombErr
}

// rawZipAttachment attaches a hand-made archive with its expectation.
func rawZipAttachment(name string, data []byte, a ArchiveExpect, risks ...model.Risk) attachmentSpec {
	return attachmentSpec{Name: name, Form: nameRFC2231, ContentType: "application/zip", Data: data,
		Want: File{Name: name, ContentType: "application/zip", Archive: &a, Risks: risks}}
}

// mustBytes panics on an error from a generator of constant input.
func mustBytes(b []byte, err error) []byte {
	if err != nil {
		panic("demo: " + err.Error())
	}
	return b
}

// riskySpecs are the dangerous or unreadable attachments.
func riskySpecs() []*mailSpec {
	var specs []*mailSpec
	add := func(s *mailSpec) { specs = append(specs, s) }

	add(&mailSpec{Key: "fuzai", Time: at(1, 13, 20), From: []addr{{"宅配便お知らせ", "info@takuhai-notice.example"}}, To: []addr{soumu},
		Charset: csUTF8, Subject: "【不在通知】お荷物のお届けについて",
		Text: text(csUTF8, "お荷物をお届けにあがりましたが、ご不在でした。\n添付の不在票をご確認ください。\n"),
		Atts: []attachmentSpec{zipAttachment("不在票.zip", nameRFC2231, model.EncryptionNone, "",
			entry("不在票_1123.exe", true, exeFile("fuzai")))},
		Env:  envTakuhai,
		Want: Expect{Scenario: ".exe in a plain ZIP; SPF softfail, no DMARC"}})

	t := at(1, 22, 45)
	add(&mailSpec{Key: "invoice-exe", Time: t.In(time.FixedZone("PST", -8*3600)), From: []addr{{"Example Corp Accounts", "accounts@example.com"}}, To: []addr{keiri},
		Subject: "Invoice INV-20261121 overdue",
		Text:    text(csUTF8, "Dear customer,\n\nYour invoice INV-20261121 is overdue. See the attached invoice.\n"),
		Atts:    []attachmentSpec{plainFile("invoice.pdf.exe", nameASCII, "application/octet-stream", exeFile("invoice"))},
		Env:     spoofed("203.0.113.66", "mail.example.com", model.ResultFail), ForgedAR: "mx.example.com", TrustedAR: true,
		Want: Expect{Scenario: "invoice.pdf.exe from a spoofed example.com (p=reject); forged and trusted Authentication-Results"}})

	add(&mailSpec{Key: "nenmatsu", Time: at(2, 9, 10), From: []addr{{"人事部", "jinji@example.co.jp"}}, To: []addr{tanaka},
		Charset: csISO2022, Subject: "年末調整のお知らせ",
		Text: text(csISO2022, "各位\n\n年末調整の書類を添付します。編集を有効にしてください。\n"),
		Atts: []attachmentSpec{plainFile("年末調整のお知らせ.docm", nameRFC2047JIS, "application/vnd.ms-word.document.macroEnabled.12", ooxmlFile("docm", "nenmatsu"))},
		Env:  spoofed("203.0.113.251", "mail.example.co.jp", model.ResultSoftFail),
		Want: Expect{Scenario: "macro .docm; SPF softfail, DMARC quarantine"}})

	add(&mailSpec{Key: "rtlo", Time: at(2, 11, 30), From: []addr{{"Shop Support", "support@kojin-shop.example"}}, To: []addr{kobayashi},
		Subject: "Your order receipt",
		Text:    text(csUTF8, "Thank you for your order. The receipt is attached.\n"),
		Atts:    []attachmentSpec{plainFile("INV2026\u202efdp.exe", nameRFC2231, "application/octet-stream", exeFile("rtlo"))},
		Env:     envKojin,
		Want:    Expect{Scenario: "right-to-left override hides .exe (shows as INV2026exe.pdf); no SPF record"}})

	t = at(2, 12, 0)
	add(&mailSpec{Key: "nested3", Time: t, From: []addr{suzuki}, To: []addr{sales}, Charset: csISO2022, Subject: "資料一式",
		Text: text(csISO2022, "営業部 御中\n\n資料一式をまとめてお送りします。\n\n鈴木\n"),
		Atts: []attachmentSpec{zipAttachment("資料一式.zip", nameRFC2231, model.EncryptionNone, "",
			nested("第1章.zip", model.EncryptionNone, "",
				entry("第1章.pdf", false, pdfFile("Chapter 1")),
				nested("図表.zip", model.EncryptionNone, "",
					entry("図表1.png", false, pngFile(1)))))},
		Env: envOsaka, DKIM: []signing{sign("osaka.example.co.jp", "ed1", keyEd25519, t)},
		Want: Expect{Scenario: "ZIP nested three levels deep, legitimate sender"}})

	bomb := mustBytes(cachedBomb())
	add(&mailSpec{Key: "bomb", Time: at(2, 14, 0), From: []addr{hiroshi}, To: []addr{soumu}, Charset: csISO2022, Subject: "写真データ",
		Text: text(csISO2022, "写真データです。\n"),
		Atts: []attachmentSpec{rawZipAttachment("写真.zip", bomb,
			ArchiveExpect{Entries: []string{"zeros.bin"}, DeclaredSize: bombEntrySize}, model.RiskBomb)},
		Env:  spoofed("203.0.113.66", "[203.0.113.66]", model.ResultNeutral),
		Want: Expect{Scenario: "zip bomb: 200 MiB of zeros deflated to about 200 KB"}})

	t = at(2, 15, 30)
	add(&mailSpec{Key: "bomb-10g", Time: t, From: []addr{{"IT Support", "it-support@example.org"}}, To: []addr{tanaka},
		Subject: "Backup of your mailbox",
		Text:    text(csUTF8, "Your mailbox backup is attached.\n"),
		Atts: []attachmentSpec{rawZipAttachment("backup.zip", mustBytes(declaredHugeZip(t)),
			ArchiveExpect{Entries: []string{"backup.dat"}, DeclaredSize: 10 << 30}, model.RiskBomb)},
		Env: envOrg, DKIM: []signing{sign("example.org", "k1", keyEd25519, t)},
		Want: Expect{Scenario: "ZIP declaring a 10 GiB entry backed by a few bytes"}})

	t = at(2, 16, 10)
	broken := mustBytes(buildZip(zipSpec{Entries: []zipEntry{{Name: "図面_A101.pdf", CP932: true, Data: pdfFile("A101")}, {Name: "図面_A102.pdf", CP932: true, Data: pdfFile("A102")}}, Modified: t}))
	add(&mailSpec{Key: "broken-zip", Time: t, From: []addr{yamada}, To: []addr{tanaka}, Charset: csISO2022, Subject: "図面送付",
		Text: text(csISO2022, "田中様\n\n図面を送付します。\n\n山田\n"),
		Atts: []attachmentSpec{rawZipAttachment("図面.zip", broken[:len(broken)*2/3],
			ArchiveExpect{Broken: true}, model.RiskBrokenArchive)},
		Env: envPartner, DKIM: []signing{sign("partner.example.co.jp", "sel1", keyRSA2048, t)}, TrustedAR: true,
		Want: Expect{Scenario: "truncated ZIP (no central directory)"}})

	t = at(2, 17, 0)
	add(&mailSpec{Key: "bad-boundary", Time: t, From: []addr{hiroshi}, To: []addr{soumu}, Charset: csISO2022, Subject: "資料送付",
		Text: text(csISO2022, "資料です。\n"),
		Atts: []attachmentSpec{plainFile("資料.pdf", nameRFC2231, "application/pdf", pdfFile("Shiryo"))},
		Env:  envNet,
		Mangle: func(b []byte) []byte {
			// the declared boundary no longer matches the one the parts use
			return bytes.Replace(b, []byte("boundary=\"----=_Part_"), []byte("boundary=\"----=_Mismatch_"), 1)
		},
		Want: Expect{Scenario: "malformed MIME: declared boundary never occurs", Malformed: true}})

	t = at(2, 18, 0)
	add(&mailSpec{Key: "truncated-b64", Time: t, From: []addr{john}, To: []addr{tanaka}, Subject: "Scanned documents",
		Text: text(csUTF8, "Scans attached.\n"),
		Atts: []attachmentSpec{{Name: "scan_001.pdf", Form: nameASCII, ContentType: "application/pdf",
			Want: File{Name: "scan_001.pdf", ContentType: "application/pdf", DecodeError: true},
			Part: truncatedBase64Part("scan_001.pdf", pdfFile("Scan 001"))}},
		Env: envCom,
		Mangle: func(b []byte) []byte {
			// the message ends inside the attachment: no closing boundary
			i := bytes.LastIndex(b, []byte("\r\n------=_Part_"))
			return b[:i]
		},
		Want: Expect{Scenario: "truncated message: base64 cut mid-quantum, no closing boundary", Malformed: true}})

	t = at(2, 19, 0)
	add(&mailSpec{Key: "garbage-header", Time: t, From: []addr{hiroshi}, To: []addr{soumu}, Subject: "Re: meeting",
		Text: text(csUTF8, "See you tomorrow.\n"),
		Env:  envNet,
		Mangle: func(b []byte) []byte {
			// a line without a colon among the header fields
			return bytes.Replace(b, []byte("\r\nMIME-Version:"), []byte("\r\nthis line is not a header field \x00\xff\xfe\r\nMIME-Version:"), 1)
		},
		Want: Expect{Scenario: "garbage line (no colon, NUL and invalid bytes) in the header", Malformed: true}})
	return specs
}

// truncatedBase64Part is an attachment whose base64 stops in the middle
// of a 4-character group, halfway through the file.
func truncatedBase64Part(name string, data []byte) *part {
	p := attachmentPart("application/pdf", name, nameASCII, data)
	lines := bytes.Split(bytes.TrimSuffix(p.Body, []byte("\r\n")), []byte("\r\n"))
	keep := lines[:len(lines)/2]
	partial := lines[len(lines)/2][:30] // 30 is not a multiple of 4
	p.Body = append(bytes.Join(append(keep, partial), []byte("\r\n")), "\r\n"...)
	return p
}
