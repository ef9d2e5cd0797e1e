package ppap

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// zipMailWith renders a ZIP mail whose body, after its header, is body
// (a MIME structure in which parts say where the test's b.zip goes).
func zipMailWith(contentType, body string) []byte {
	return []byte("From: Yamada <yamada@partner.example>\r\nTo: tanaka@sakura.example\r\nSubject: 見積書\r\n" +
		"Date: " + t0.Format(time.RFC1123Z) + "\r\nMessage-ID: <zip@p>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: " + contentType + "\r\n\r\n" + body)
}

// pairRaw analyses zipRaw as message "zip" and the password mail pw as
// "pw1", then pairs them, reading back what serve holds ("zip" is
// served as zipRaw unless serve has it).
func pairRaw(t *testing.T, zipRaw []byte, pw testMail, serve memSource) model.Message {
	t.Helper()
	an := analysis.New(analysis.Config{})
	ctx := context.Background()
	src := memSource{"zip": zipRaw, "pw1": rawMail(pw)}
	for id, raw := range serve {
		src[id] = raw
	}
	m := an.Analyze(ctx, "zip", bytes.NewReader(zipRaw))
	pm := an.Analyze(ctx, "pw1", bytes.NewReader(src["pw1"]))
	NewPairer(Config{Analyzer: an}, src.open).Pair(ctx, &m, RefOf(&m, 0), []*Ref{RefOf(&pm, 1)})
	return m
}

// TestPairingNumbersAttachmentsAsTheAnalysis checks that pairing decrypts
// each archive from its own bytes. It read messages back with a walk of
// its own, which numbered attachments differently from the analysis in
// the three shapes below: an archive hidden in an inline picture took the
// bytes of the next attachment (and was reported decrypted, with that
// attachment's password mail, while its own entries never were), and a
// ZIP after an unnamed text part with an empty filename, or inside a
// top-level message/rfc822 body, was never opened.
func TestPairingNumbersAttachmentsAsTheAnalysis(t *testing.T) {
	const password = "Mitsumori-8841"
	hidden := makeZip(t, password, yzip.StandardEncryption, zipFile{"evil.exe", []byte("MZ not what the picture says")})
	good := makeZip(t, password, yzip.AES256Encryption, zipFile{"invoice.txt", []byte("the invoice")})
	zipPart := "Content-Type: application/zip\r\nContent-Disposition: attachment; filename=\"b.zip\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64Lines(good) + "\r\n"
	tests := []struct {
		name string
		raw  []byte
	}{
		{"an archive in an inline picture first", zipMailWith("multipart/mixed; boundary=\"B\"",
			"--B\r\nContent-Type: text/plain\r\n\r\n別途お送りします\r\n"+
				"--B\r\nContent-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
				base64Lines(append([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), hidden...))+"\r\n"+
				"--B\r\n"+zipPart+"--B--\r\n")},
		{"an unnamed text part with an empty filename first", zipMailWith("multipart/mixed; boundary=\"B\"",
			"--B\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=\"\"\r\n\r\n別途お送りします\r\n"+
				"--B\r\n"+zipPart+"--B--\r\n")},
		{"a top-level message/rfc822 body", zipMailWith("message/rfc822",
			"From: yamada@partner.example\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"I\"\r\n\r\n"+
				"--I\r\n"+zipPart+"--I--\r\n")},
	}
	pw := testMail{from: "Yamada <yamada@partner.example>", to: "tanaka@sakura.example", subject: "【パスワード通知】見積書",
		date: t0.Add(3 * time.Minute), msgID: "<pw@p>", inReplyTo: "<zip@p>", text: "パスワード：" + password}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := pairRaw(t, tt.raw, pw, nil)
			var b *model.Archive
			for i, att := range m.Attachments {
				a := att.Archive
				if a == nil {
					continue
				}
				if strings.HasSuffix(att.Filename, "b.zip") {
					b = a
					continue
				}
				if a.Decrypted || a.PasswordSource != "" {
					t.Errorf("attachment %d (%q) reported decrypted with %q from another attachment's bytes", i, att.Filename, a.PasswordSource)
				}
				for _, e := range a.Entries {
					if e.Decrypted {
						t.Errorf("attachment %d: entry %q decrypted", i, e.Name)
					}
				}
			}
			if b == nil {
				t.Fatalf("b.zip not among the attachments: %+v", m.Attachments)
			}
			if !b.Decrypted || b.PasswordSource != "pw1" || len(b.Entries) != 1 || !b.Entries[0].Decrypted {
				t.Errorf("b.zip not opened from its own bytes: %+v", b)
			}
		})
	}
}

// TestPairingRefusesAReplacedMessage checks that pairing decrypts nothing
// of a ZIP mail whose file no longer holds the bytes analysed: the
// verdict would speak of an archive nobody inspected.
func TestPairingRefusesAReplacedMessage(t *testing.T) {
	const password = "Mitsumori-8841"
	mail := func(content string) []byte {
		return rawMail(testMail{from: "Yamada <yamada@partner.example>", to: "tanaka@sakura.example", subject: "見積書",
			date: t0, msgID: "<zip@p>", text: "別途お送りします", zipName: "b.zip",
			zip: makeZip(t, password, yzip.AES256Encryption, zipFile{"invoice.txt", []byte(content)})})
	}
	pw := testMail{from: "Yamada <yamada@partner.example>", to: "tanaka@sakura.example", subject: "【パスワード通知】見積書",
		date: t0.Add(3 * time.Minute), msgID: "<pw@p>", inReplyTo: "<zip@p>", text: "パスワード：" + password}
	if a := pairRaw(t, mail("the invoice"), pw, nil).Attachments[0].Archive; !a.Decrypted {
		t.Fatalf("the unchanged message was not opened: %+v", a)
	}
	replaced := mail("something else")
	m := pairRaw(t, mail("the invoice"), pw, memSource{"zip": replaced})
	a := m.Attachments[0].Archive
	if a.Decrypted || a.PasswordSource != "" || a.PasswordAttempts != 0 {
		t.Errorf("a replaced message was paired: %+v", a)
	}
	// Said so, and not remembered: the next scan reads the file again.
	if a.NotChecked != model.NotCheckedUnread || !slices.ContainsFunc(m.Verdict.Reasons, func(r string) bool {
		return strings.Contains(r, model.NotCheckedUnread)
	}) {
		t.Errorf("refusal not told: %q, reasons %q", a.NotChecked, m.Verdict.Reasons)
	}
	if remembered(&m) {
		t.Error("a refused pairing would be remembered")
	}
}

// TestPairingLeavesAnArchiveWithoutDigest: an archive the analysis held
// only in part (past the inspection limit) has no digest, so nothing of it
// is decrypted, and it says why rather than "no password found".
func TestPairingLeavesAnArchiveWithoutDigest(t *testing.T) {
	const password = "Mitsumori-8841"
	raw := rawMail(testMail{from: "Yamada <yamada@partner.example>", to: "tanaka@sakura.example", subject: "見積書",
		date: t0, msgID: "<zip@p>", text: "別途お送りします", zipName: "b.zip",
		zip: makeZip(t, password, yzip.AES256Encryption, zipFile{"invoice.txt", []byte("the invoice")})})
	pwRaw := rawMail(testMail{from: "Yamada <yamada@partner.example>", to: "tanaka@sakura.example", subject: "【パスワード通知】見積書",
		date: t0.Add(3 * time.Minute), msgID: "<pw@p>", inReplyTo: "<zip@p>", text: "パスワード：" + password})
	an := analysis.New(analysis.Config{})
	ctx := context.Background()
	m := an.Analyze(ctx, "zip", bytes.NewReader(raw))
	pm := an.Analyze(ctx, "pw1", bytes.NewReader(pwRaw))
	m.Attachments[0].Archive.SHA256 = "" // as for bytes past the limit
	src := memSource{"zip": raw, "pw1": pwRaw}
	NewPairer(Config{Analyzer: an}, src.open).Pair(ctx, &m, RefOf(&m, 0), []*Ref{RefOf(&pm, 1)})
	if a := m.Attachments[0].Archive; a.Decrypted || a.NotChecked != model.NotCheckedPastLimit {
		t.Errorf("an archive without digest: decrypted %v, not checked %q", a.Decrypted, a.NotChecked)
	}
}

// TestStreamReadsKeptTextOnce checks that with the text an analysis kept
// (analysis.Config.PairingText) the stream reads no password mail back,
// pairs as it does reading them, and lets no text go on with a message.
func TestStreamReadsKeptTextOnce(t *testing.T) {
	zip := holdZipMail(t)
	sender, to := holdSender, holdRecipient
	mails := map[string]testMail{
		"zip":   zip,
		"decoy": {from: sender, to: to, subject: "明日の件", date: t0.Add(time.Minute), msgID: "<d@p>", text: "PW: Wrong-9999"},
		"pw":    {from: sender, to: to, subject: "【パスワード通知】見積書", date: t0.Add(3 * time.Minute), msgID: "<pw@p>", html: "<p>パスワード：<b>Hold-1234</b></p>"},
		"own":   {from: sender, to: to, subject: "資料2", date: t0.Add(time.Hour), msgID: "<zip2@p>", text: "パスワード: Hold-1234", zipName: "b.zip", zip: zip.zip},
	}
	order := []string{"zip", "decoy", "pw", "own"}
	base := analysis.New(analysis.Config{})
	read := map[model.MessageID]int{}
	_, want := streamMailsWith(t, base, Config{}, mails, order, read)
	kept := map[model.MessageID]int{}
	_, got := streamMailsWith(t, base.WithPairingText(Config{}.TextBytes(), HoldsPassword), Config{}, mails, order, kept)

	if read["pw"] == 0 {
		t.Fatalf("without kept text the candidates were not read back (%v): the test shows nothing", read)
	}
	if kept["pw"] != 0 || kept["decoy"] != 0 {
		t.Errorf("with kept text the candidates were read back: %v", kept)
	}
	for _, id := range order {
		w, g := want[model.MessageID(id)], got[model.MessageID(id)]
		if g.PairingText != nil {
			t.Errorf("%s: its text went on with the message", id)
		}
		wj, gj := pairedJSON(w), pairedJSON(g)
		if !bytes.Equal(wj, gj) {
			t.Errorf("%s paired differently with kept text:\n%s\nwant\n%s", id, gj, wj)
		}
	}
	if a := got["zip"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
		t.Errorf("zip: %+v", a)
	}
	if a := got["own"].Attachments[0].Archive; !a.Decrypted {
		t.Errorf("own: not opened with the password in its own text: %+v", a)
	}
}

// TestKeptCandidatesKeepNoText checks that the candidates a Ref keeps
// from a mail's text (analysedCandidates) are copies: a password Extract cuts
// out of the text would keep the whole text, which may hold more than
// the password, alive for the index's two windows.
func TestKeptCandidatesKeepNoText(t *testing.T) {
	body := strings.Repeat("filler line of a long newsletter body\n", 5000) + "The password is below\n\nHx7-Qq91zz\n"
	cfg := Config{}.withDefaults()
	text := &model.PairingText{Subject: "pw", Body: body, Max: cfg.MaxTextBytes}
	found := analysedCandidates("", text, &cfg)
	if len(found) == 0 {
		t.Fatal("no candidate found: the test shows nothing")
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(body)))
	for _, f := range found {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(f.Password))); p >= start && p < start+uintptr(len(body)) {
			t.Errorf("candidate %q points into the text", f.Password)
		}
	}
}

// pairedJSON is m as JSON without what only an analysis that searches the
// text for passwords records (PasswordsInText): what pairing made of m.
func pairedJSON(m model.Message) []byte {
	m.PasswordsInText = ""
	// How many candidate mails a pairing read counts those whose
	// passwords it had to read to know (Archive.MailsRead), which a mail
	// whose analysis kept its text does not take: what it knows, as
	// PasswordsInText says, not what it pairs.
	m.Attachments = slices.Clone(m.Attachments)
	for i, a := range m.Attachments {
		if a.Archive != nil {
			arc := *a.Archive
			arc.MailsRead = 0
			m.Attachments[i].Archive = &arc
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// TestStreamPassesMailWithoutPasswordOn checks that, with the text an
// analysis kept, or what it recorded of it in a cached result
// (PasswordsInText), a waiting ZIP mail's same-sender mails that hold no
// password go straight out at their own Write, where without either they
// are held with it; that the password mail, ranked below seven of them by
// Pair (replies to the ZIP mail), is still held for its note; and that
// the pairing is the same either way.
func TestStreamPassesMailWithoutPasswordOn(t *testing.T) {
	zip := holdZipMail(t)
	sender, to := holdSender, holdRecipient
	mails := map[string]testMail{
		"zip": zip,
		"pw":  {from: sender, to: to, subject: "【パスワード通知】見積書", date: t0.Add(time.Hour), msgID: "<pw@p>", text: "パスワード：Hold-1234"},
	}
	order := []string{"zip"}
	var chats []string
	for i := range 9 {
		id := fmt.Sprint("chat", i)
		m := testMail{from: sender, to: to, subject: "Re: 見積書", date: t0.Add(time.Duration(i+1) * time.Minute),
			msgID: fmt.Sprintf("<c%d@p>", i), text: "ご確認のほど、よろしくお願いいたします。"}
		if i < 7 {
			m.inReplyTo = "<zip@p>" // ranked before the pw mail
		}
		mails[id] = m
		if order, chats = append(order, id), append(chats, id); i == 6 {
			order = append(order, "pw")
		}
	}
	if found := mailCandidates(mails["chat0"].subject, mails["chat0"].text, DefaultMaxAttempts); len(found) != 0 {
		t.Fatalf("the chat mails hold password candidates %v: the test shows nothing", found)
	}
	base := analysis.New(analysis.Config{})
	heldSteps, want := streamMailsWith(t, base, Config{}, mails, order, nil)
	if slices.Contains(heldSteps[1], "chat0") {
		t.Fatalf("without kept text chat0 was not held (%v): the test shows nothing", heldSteps)
	}
	searched := base.WithPairingText(Config{}.TextBytes(), HoldsPassword)
	for _, tc := range []struct {
		name string
		an   analyzer
	}{
		{"kept text", searched},
		{"cached results", cachedResults{searched}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps, got := streamMailsWith(t, tc.an, Config{}, mails, order, nil)
			for _, id := range chats {
				step := slices.Index(order, id)
				if !slices.Contains(steps[step], model.MessageID(id)) {
					t.Errorf("%s, which holds no password, was held: emitted %v", id, steps)
				}
			}
			for _, step := range steps[:len(order)] {
				if slices.Contains(step, "pw") {
					t.Errorf("the pw mail went out before the pairing that notes it: emitted %v", steps)
				}
			}
			for _, id := range order {
				wj, gj := pairedJSON(want[model.MessageID(id)]), pairedJSON(got[model.MessageID(id)])
				if !bytes.Equal(wj, gj) {
					t.Errorf("%s paired differently:\n%s\nwant\n%s", id, gj, wj)
				}
			}
			if a := got["zip"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
				t.Errorf("zip: %+v", a)
			}
			if l := got["pw"].PasswordFor; len(l) != 1 || l[0].Message != "zip" {
				t.Errorf("pw links %v", l)
			}
		})
	}
}

// TestPasswordMailNotesInListingOrder checks that a password mail noted
// by several ZIP mails lists them in listing order, whatever order their
// pairings, which run concurrently, finish in.
func TestPasswordMailNotesInListingOrder(t *testing.T) {
	sender, to := "Yamada <yamada@partner.example>", "tanaka@sakura.example"
	mails := map[string]testMail{
		"pw": {from: sender, to: to, subject: "【パスワード通知】", date: t0.Add(time.Hour), msgID: "<pw@p>", text: "パスワード：Hold-1234"},
	}
	var order, zips []string
	for i := range 6 {
		id := fmt.Sprint("zip", i)
		// Archives of different sizes, so that the pairings take different times.
		content := []byte(strings.Repeat("x", 1+i*(5-i)*20000))
		mails[id] = testMail{from: sender, to: to, subject: fmt.Sprint("資料", i), date: t0.Add(time.Duration(i) * time.Minute),
			msgID: fmt.Sprintf("<z%d@p>", i), text: "別途", zipName: fmt.Sprint(id, ".zip"),
			zip: makeZip(t, "Hold-1234", yzip.AES256Encryption, zipFile{"a.txt", content})}
		order, zips = append(order, id), append(zips, id)
	}
	order = append(order, "pw")
	an := analysis.New(analysis.Config{}).WithPairingText(Config{}.TextBytes(), HoldsPassword)
	for range 10 {
		_, out := streamMailsWith(t, an, Config{}, mails, order, nil)
		var got []string
		for _, l := range out["pw"].PasswordFor {
			got = append(got, string(l.Message))
		}
		if !slices.Equal(got, zips) {
			t.Fatalf("pw notes %v, want the ZIP mails in listing order %v", got, zips)
		}
	}
}

// TestMailCandidatesBounded checks that a mail's candidates are bounded
// by twice the attempts of each kind, the stated one (strong) kept among
// 500 weak ones, and copied out of the whole list: a slice of it would
// keep every candidate, and the text they point into, alive.
func TestMailCandidatesBounded(t *testing.T) {
	// keyValues is a password label over n lines of "key: value", each
	// value a weak candidate.
	keyValues := func(n int) string {
		var b strings.Builder
		b.WriteString("パスワードは以下の通りです。\n")
		for i := range n {
			fmt.Fprintf(&b, "item%d: v%07d\n", i, i*7919)
		}
		return b.String()
	}
	found := mailCandidates("ご注文一覧", keyValues(500)+"パスワード：Stated-4321\n", 20)
	weak, stated := 0, 0
	for _, f := range found {
		if f.Strength == Weak {
			weak++
		} else {
			stated++
		}
	}
	if weak != 40 || !slices.ContainsFunc(found, func(f Found) bool { return f.Password == "Stated-4321" && f.Strength != Weak }) {
		t.Errorf("%d weak and %d stated candidates (want 40 weak and Stated-4321): %v", weak, stated, found[:min(len(found), 5)])
	}
	// Kept for 50 mails of 12,000 candidates each: a slice of each whole
	// list would hold about 25 MB.
	body := keyValues(12000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := make([][]Found, 50)
	for i := range kept {
		kept[i] = mailCandidates("", body, 20)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 5<<20 {
		t.Errorf("50 mails' bounded candidates hold %d MB", grown>>20)
	}
	runtime.KeepAlive(kept)
	if found := mailCandidates("", "ご確認ください。", 20); found == nil || len(found) != 0 {
		t.Errorf("a mail without candidates: %#v, want empty and not nil", found)
	}
}

// TestKeptTextOfAnotherLengthIsNotTaken checks that text kept to another
// length than pairing reads mails back to is not taken for the mail's
// candidates: the mail is then read back, as without text.
func TestKeptTextOfAnotherLengthIsNotTaken(t *testing.T) {
	cfg := Config{}.withDefaults()
	text := &model.PairingText{Subject: "s", Body: "ご確認ください。", Max: cfg.MaxTextBytes}
	if found := analysedCandidates("", text, &cfg); found == nil {
		t.Fatal("text kept to the same length not taken")
	}
	text.Max = 512
	if found := analysedCandidates("", text, &cfg); found != nil {
		t.Errorf("text kept to 512 bytes taken: %v", found)
	}
	// The search's "none" alike: from a search to 512 bytes it says
	// nothing; from the cache (no text: its fingerprint names the limit)
	// it says none; "found" without the text says nothing.
	if found := analysedCandidates(model.PasswordsNone, &model.PairingText{Max: 512}, &cfg); found != nil {
		t.Errorf("none from a search to 512 bytes taken: %v", found)
	}
	if found := analysedCandidates(model.PasswordsNone, nil, &cfg); found == nil || len(found) != 0 {
		t.Errorf("a cached none: %#v, want empty and not nil", found)
	}
	if found := analysedCandidates(model.PasswordsFound, nil, &cfg); found != nil {
		t.Errorf("a cached found without text: %v, want nil (read back)", found)
	}
}

// TestNoneFromAnotherTextLimitIsNotTaken checks that the Stream takes an
// analysis's "no password" (PasswordsInText) only when it searched the
// text as far as pairing reads mails back, as it takes kept text: a
// password past a shorter limit would otherwise go unread.
func TestNoneFromAnotherTextLimitIsNotTaken(t *testing.T) {
	pw := testMail{from: holdSender, to: holdRecipient, subject: "ご連絡", date: t0.Add(time.Hour), msgID: "<pw@p>",
		text: strings.Repeat("よろしくお願いいたします。\n", 20) + "パスワード：Hold-1234"}
	mails := map[string]testMail{"zip": holdZipMail(t), "pw": pw}
	order := []string{"zip", "pw"}
	_, out := streamMailsWith(t, analysis.New(analysis.Config{}).WithPairingText(64, HoldsPassword), Config{}, mails, order, nil)
	if got := out["pw"].PasswordsInText; got != model.PasswordsNone {
		t.Fatalf("pw searched to 64 bytes: %q, want none: the test shows nothing", got)
	}
	if a := out["zip"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
		t.Errorf("zip: decrypted %v from %q, want opened with the password pw holds past 64 bytes", a.Decrypted, a.PasswordSource)
	}
}
