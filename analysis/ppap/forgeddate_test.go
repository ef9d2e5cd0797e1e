package ppap

import (
	"fmt"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

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
