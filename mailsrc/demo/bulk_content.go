package demo

import (
	"fmt"

	"mxaudit/model"
)

// Names and phrases the bulk generator draws from.
var (
	jpFamily = []string{"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "松本", "井上", "木村", "林", "清水"}
	jpGiven  = []string{"太郎", "花子", "一郎", "健", "美咲", "直樹", "恵", "誠", "由美", "翔太", "陽子", "大輔", "愛", "拓也"}
	romaji   = []string{"sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "kato", "yoshida", "yamada", "taro", "hanako", "ken", "misaki", "naoki", "megumi"}
	enFirst  = []string{"James", "Mary", "Robert", "Patricia", "Michael", "Linda", "David", "Susan", "Daniel", "Karen", "Emily", "Chris"}
	enLast   = []string{"Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young", "King"}

	jpSubjects = []string{"見積書送付の件", "請求書送付のご案内", "発注書のご確認", "納品書送付", "打ち合わせ日程のご相談", "会議資料の送付",
		"契約書のご確認のお願い", "年末年始の営業についてのお知らせ", "価格改定のお知らせ", "お問い合わせの件", "出荷のご連絡", "議事録の送付"}
	jpDocs     = []string{"見積書", "請求書", "発注書", "納品書", "会議資料", "契約書", "議事録", "仕様書", "報告書"}
	enSubjects = []string{"Quotation request", "Invoice for November", "Purchase order", "Meeting agenda", "Contract review",
		"Shipping confirmation", "Project update", "Price list 2027", "Follow-up on our call"}
	enDocs = []string{"Quotation", "Invoice", "PurchaseOrder", "Agenda", "Contract", "Report", "Specification"}
)

// bulkSpec turns a plan into a message spec; prev, when set, is the
// encrypted-ZIP mail this message is the password notification for.
func bulkSpec(p bulkPlan, prev *bulkPlan) *mailSpec {
	rng := p.rng
	to := []addr{tanaka, kobayashi, keiri, sales, soumu}[rng.IntN(5)]
	s := &mailSpec{Time: p.time, To: []addr{to}, Charset: p.charset}
	if prev != nil {
		p = *prev // same sender, domain and charset as the ZIP mail
		s.Time = followUpTime(prev)
		s.Charset = p.charset
		s.To = nil
	}
	s.From = []addr{p.sender}
	if s.To == nil {
		s.To = []addr{to}
	}
	doc := enDocs[rng.IntN(len(enDocs))]
	if p.japanese {
		doc = jpDocs[rng.IntN(len(jpDocs))]
	}
	num := 1000 + rng.IntN(9000)

	switch {
	case prev != nil:
		s.Want.Scenario = "bulk: password notification"
		s.Want.StatedPassword, s.Want.PasswordCorrect = p.password, true
		if p.japanese {
			s.Subject = "【パスワード通知】" + jpSubjects[rng.IntN(len(jpSubjects))]
			s.Text = text(p.charset, "先ほどお送りしたファイルのパスワードをお知らせします。\nパスワード："+p.password+"\n")
		} else {
			s.Subject = "Password for the attachment"
			s.Text = text(csUTF8, "Hello,\n\nPassword: "+p.password+"\n\nRegards\n")
		}
	case p.japanese:
		s.Subject = jpSubjects[rng.IntN(len(jpSubjects))]
		s.Text = text(p.charset, fmt.Sprintf("%s様\n\nいつもお世話になっております。\n%sの件、ご確認のほどよろしくお願いいたします。\n\n%s\n", to.Name, doc, p.sender.Name))
	default:
		s.Subject = enSubjects[rng.IntN(len(enSubjects))]
		s.Text = text(csUTF8, fmt.Sprintf("Hello,\n\nPlease see the %s (no. %d).\n\nBest regards,\n%s\n", doc, num, p.sender.Name))
	}
	if s.Text.Charset == csUTF8 && rng.IntN(3) == 0 {
		s.Text.CTE = "quoted-printable"
	}

	if prev == nil {
		s.Atts = bulkAttachments(p, doc, num)
		if p.kind == attEncryptedZip {
			s.Want.Password = p.password
		}
	}
	bulkAuth(s, p)
	return s
}

// bulkAttachments returns the files of plan p.
func bulkAttachments(p bulkPlan, doc string, num int) []attachmentSpec {
	base := fmt.Sprintf("%s_%d", doc, num)
	form := []nameForm{nameRFC2231, nameRFC2047UTF8, nameRFC2047JIS}[num%3]
	if !p.japanese {
		form = nameASCII
	}
	cp932 := p.japanese && num%2 == 0
	switch p.kind {
	case attEncryptedZip:
		return []attachmentSpec{zipAttachment(base+".zip", form, p.zipEnc, p.password,
			entry(base+".pdf", cp932, pdfFile(fmt.Sprintf("Document %d", num))))}
	case attPDF:
		return []attachmentSpec{plainFile(base+".pdf", form, "application/pdf", pdfFile(fmt.Sprintf("Document %d", num)))}
	case attXLSX:
		return []attachmentSpec{plainFile(base+".xlsx", form, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ooxmlFile("xlsx", base))}
	case attPNG:
		return []attachmentSpec{plainFile(fmt.Sprintf("image%03d.png", num%1000), nameASCII, "image/png", pngFile(num))}
	case attPlainZip:
		return []attachmentSpec{zipAttachment(base+".zip", form, model.EncryptionNone, "",
			entry(base+".pdf", cp932, pdfFile(base)), entry(base+"_別紙.pdf", cp932 || !p.japanese, pdfFile("annex")))}
	case attExeZip:
		return []attachmentSpec{zipAttachment(base+".zip", form, model.EncryptionNone, "",
			entry(base+".exe", cp932, exeFile(base)))}
	case attDocm:
		return []attachmentSpec{plainFile(base+".docm", form, "application/vnd.ms-word.document.macroEnabled.12", ooxmlFile("docm", base))}
	case attDoubleExt:
		return []attachmentSpec{plainFile(base+".pdf.exe", form, "application/octet-stream", exeFile(base))}
	}
	return nil
}

// bulkAuth sets the envelope and signatures of plan p's scenario.
func bulkAuth(s *mailSpec, p bulkPlan) {
	rng := p.rng
	prof := bulkDomains()[p.domain]
	name := prof.Name
	sel, key := bulkSelector(p.domain)
	spfFor := func(outside bool) model.Result {
		switch {
		case prof.SPF == "":
			return model.ResultNone
		case !outside:
			return model.ResultPass
		case p.domain%10 == 3 || p.domain%10 == 6:
			return model.ResultSoftFail
		}
		return model.ResultFail
	}
	signed := signing{Spec: dkimSpec{Domain: name, Selector: sel, Key: key, Time: s.Time}, Result: model.ResultPass, Why: "valid signature"}
	helo := "mx." + name
	switch p.scenario {
	case authLegit:
		s.Env = envFor(bulkIP(p.domain, 1+rng.IntN(6)), helo, spfFor(false))
		s.DKIM = []signing{signed}
		s.TrustedAR = rng.IntN(2) == 0
	case authSpoof:
		ip := fmt.Sprintf("203.0.113.%d", 233+rng.IntN(20))
		if rng.IntN(2) == 0 {
			ip = fmt.Sprintf("2001:db8:bad::%x", 1+rng.IntN(250))
		}
		s.Env = envelope{ClientIP: ip, Helo: helo, SPF: spfFor(true)}
		s.Want.Scenario = "bulk: spoofed sender"
	case authTampered:
		s.Env = envFor(bulkIP(p.domain, 1+rng.IntN(6)), helo, spfFor(false))
		signed.Result, signed.Why = model.ResultFail, "body hash mismatch: a footer was added after signing"
		s.DKIM = []signing{signed}
		s.Tamper = appendFooter
		if len(s.Atts) == 0 && (s.Text.CTE == "" || s.Text.CTE == "base64") {
			// the footer lands in the text itself, which must stay
			// decodable: a base64 body would not
			s.Text.CTE = "8bit"
		}
		s.Want.Scenario = "bulk: body changed after signing"
	case authForwarded:
		s.Env = envelope{MailFrom: s.From[0].Address, ClientIP: "198.51.100.230", Helo: "fwd.lists.example.net", RDNS: "fwd.lists.example.net", SPF: spfFor(true)}
		s.DKIM = []signing{signed}
		s.Want.Scenario = "bulk: forwarded; SPF fails, DKIM survives"
	}
	if s.Want.Scenario == "" {
		s.Want.Scenario = "bulk: ordinary business mail"
	}
}

// appendFooter is what a careless gateway does: add a line after the
// body was signed (into the text of a single-part message, into the
// epilogue of a multipart one).
func appendFooter(b []byte) []byte {
	return append(b, "-- \r\nScanned by gateway.example\r\n"...)
}
