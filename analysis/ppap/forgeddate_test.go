package ppap

import (
	"fmt"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// TestStreamFutureDateDoesNotDropCandidates checks that one message with a
// forged future Date does not make the index forget the password mails of
// ZIP mails still waiting: the cut-off follows the oldest waiting ZIP mail.
func TestStreamFutureDateDoesNotDropCandidates(t *testing.T) {
	zipBytes := makeZip(t, "Fut-5678", yzip.AES256Encryption, zipFile{"a.txt", []byte("hello")})
	sender, to := "Yamada <yamada@partner.example>", "tanaka@sakura.example"
	mails := map[string]testMail{
		"forged": {from: "x@elsewhere.example", to: to, subject: "from the future", date: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), msgID: "<f@e>", text: "hi"},
		"zip":    {from: sender, to: to, subject: "見積書", date: t0, msgID: "<zip@p>", text: "別途お送りします", zipName: "見積書.zip", zip: zipBytes},
		"pw":     {from: sender, to: to, subject: "【パスワード通知】見積書", date: t0.Add(3 * time.Minute), msgID: "<pw@p>", inReplyTo: "<zip@p>", text: "パスワード：Fut-5678"},
	}
	order := []string{"forged", "zip", "pw"}
	// Enough later mail from other senders, inside the window, for the
	// index to be pruned several times while the ZIP mail waits.
	for i := range 1300 {
		id := fmt.Sprintf("filler%04d", i)
		mails[id] = testMail{from: fmt.Sprintf("n%d@other%d.example", i, i%40), to: to, subject: "news", date: t0.Add(time.Duration(5+i) * time.Second), msgID: "<" + id + "@o>", text: "x"}
		order = append(order, id)
	}
	_, out := streamMails(t, Config{}, mails, order)
	if a := out[model.MessageID("zip")].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
		t.Errorf("zip: decrypted %v from %q, want opened with the password from pw", a.Decrypted, a.PasswordSource)
	}
}

// TestStreamFutureDateKeepsLateZipMailsCandidates checks that a forged
// future Date, listed before a waiting ZIP mail of another sender, does
// not make the index drop the password mail of a ZIP mail listed late
// (after its password mail) and dated just before the waiting one: the
// cut-off keeps two windows before the oldest waiting ZIP mail whenever
// the latest date was listed before it.
func TestStreamFutureDateKeepsLateZipMailsCandidates(t *testing.T) {
	for _, forged := range []bool{false, true} {
		t.Run(fmt.Sprint("forged=", forged), func(t *testing.T) {
			sender, to := "Yamada <yamada@partner.example>", "tanaka@sakura.example"
			mails := map[string]testMail{
				"forged":  {from: "x@elsewhere.example", to: to, subject: "from the future", date: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), msgID: "<f@e>", text: "hi"},
				"waitzip": {from: "b@other.example", to: to, subject: "資料", date: t0.Add(10 * time.Minute), msgID: "<w@o>", text: "別途", zipName: "w.zip", zip: makeZip(t, "Other-999", yzip.AES256Encryption, zipFile{"b.txt", []byte("x")})},
				"pw":      {from: sender, to: to, subject: "【パスワード通知】見積書", date: t0.Add(time.Minute), msgID: "<pw@p>", text: "パスワード：Fut-5678"},
				"zip":     {from: sender, to: to, subject: "見積書", date: t0, msgID: "<zip@p>", text: "別途お送りします", zipName: "見積書.zip", zip: makeZip(t, "Fut-5678", yzip.AES256Encryption, zipFile{"a.txt", []byte("hello")})},
			}
			order := []string{"waitzip", "pw"}
			if forged {
				order = append([]string{"forged"}, order...)
			}
			for i := range 1300 { // enough for several prunings while waitzip waits
				id := fmt.Sprintf("filler%04d", i)
				mails[id] = testMail{from: fmt.Sprintf("n%d@other%d.example", i, i%40), to: to, subject: "news", date: t0.Add(10*time.Minute + time.Duration(i)*time.Second), msgID: "<" + id + "@o>", text: "x"}
				order = append(order, id)
			}
			order = append(order, "zip")
			_, out := streamMails(t, Config{}, mails, order)
			if a := out["zip"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
				t.Errorf("zip: decrypted %v from %q, want opened with the password from pw", a.Decrypted, a.PasswordSource)
			}
		})
	}
}

// TestStreamFutureDateKeepsSlightlyLateZipMail is the case above with a
// ZIP mail only half an hour out of date order: listed 1,500 mails after
// its password mail and dated five minutes before it, while a forged
// future Date has been seen and another ZIP mail waits.
func TestStreamFutureDateKeepsSlightlyLateZipMail(t *testing.T) {
	const to = "buyer@sakura.example"
	for _, forged := range []bool{false, true} {
		t.Run(fmt.Sprint("forged=", forged), func(t *testing.T) {
			var mails []listed
			add := func(id string, m testMail) { mails = append(mails, listed{id, m}) }
			for i := range 1100 {
				add(fmt.Sprintf("f%04d", i), testMail{from: fmt.Sprintf("c%d@partner.example", i%20), to: to, subject: "hello",
					date: t0.Add(time.Duration(i) * 3 * time.Second), msgID: fmt.Sprintf("<f%d@p>", i), text: "ok"})
			}
			if forged {
				add("forged", testMail{from: "x@partner.example", to: to, subject: "hi", date: t0.Add(365 * 24 * time.Hour), msgID: "<x@p>", text: "ok"})
			}
			add("z1", testMail{from: "a@partner.example", to: to, subject: "資料1", date: t0.Add(60 * time.Minute), msgID: "<z1@p>", text: "別途",
				zipName: "one.zip", zip: makeZip(t, "Pw-1111", yzip.StandardEncryption, zipFile{"a.txt", []byte("a")})})
			add("p2", testMail{from: "b@partner.example", to: to, subject: "【パスワード通知】資料2", date: t0.Add(35 * time.Minute), msgID: "<p2@p>", text: "パスワード：Pw-2222"})
			for i := range 1500 {
				add(fmt.Sprintf("g%04d", i), testMail{from: fmt.Sprintf("c%d@partner.example", i%20), to: to, subject: "hello",
					date: t0.Add(60*time.Minute + time.Duration(i)*time.Second), msgID: fmt.Sprintf("<g%d@p>", i), text: "ok"})
			}
			add("z2", testMail{from: "b@partner.example", to: to, subject: "資料2", date: t0.Add(30 * time.Minute), msgID: "<z2@p>", text: "別途",
				zipName: "two.zip", zip: makeZip(t, "Pw-2222", yzip.StandardEncryption, zipFile{"b.txt", []byte("b")})})
			run := streamList(t, analysis.New(analysis.Config{}), Config{Window: time.Hour}, mails, nil)
			if emitted := run.timesEmitted(); len(emitted) != len(mails) {
				t.Errorf("emitted %d messages of %d", len(emitted), len(mails))
			}
			if a := run.out["z2"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "p2" {
				t.Errorf("z2: decrypted %v from %q, want opened with the password from p2", a.Decrypted, a.PasswordSource)
			}
		})
	}
}
