package ppap

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// holdSender and holdRecipient are the sender and recipient of the
// tests' ZIP mail whose archive opens with "Hold-1234" (holdZipMail).
const holdSender, holdRecipient = "Yamada <yamada@partner.example>", "tanaka@sakura.example"

// holdZipMail returns that ZIP mail: "見積書", dated t0, Message-ID
// <zip@p>, its archive (AES-256) opened by "Hold-1234".
func holdZipMail(t testing.TB) testMail {
	return testMail{from: holdSender, to: holdRecipient, subject: "見積書", date: t0, msgID: "<zip@p>", text: "別途お送りします",
		zipName: "見積書.zip", zip: makeZip(t, "Hold-1234", yzip.AES256Encryption, zipFile{"a.txt", []byte("hello")})}
}

// zipFile is one member of a test archive.
type zipFile struct {
	name string
	data []byte
}

// makeZip builds an archive whose members are encrypted with password and
// method (0: stored unencrypted).
func makeZip(t testing.TB, password string, method yzip.EncryptionMethod, files ...zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := yzip.NewWriter(&buf)
	for _, f := range files {
		var (
			fw  interface{ Write([]byte) (int, error) }
			err error
		)
		if method == 0 {
			fw, err = w.Create(f.name)
		} else {
			fw, err = w.Encrypt(f.name, password, method)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testMail describes a message built by rawMail.
type testMail struct {
	from, to, subject string
	date              time.Time
	undated           bool // no Date header
	msgID, inReplyTo  string
	text              string // text/plain body (UTF-8)
	html              string // text/html body; with text it makes multipart/alternative
	zipName           string
	zip               []byte
}

// rawMail renders m as an RFC 5322 message.
func rawMail(m testMail) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", m.from, m.to, m.subject)
	if !m.undated {
		fmt.Fprintf(&b, "Date: %s\r\n", m.date.Format(time.RFC1123Z))
	}
	fmt.Fprintf(&b, "Message-ID: %s\r\nMIME-Version: 1.0\r\n", m.msgID)
	if m.inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\n", m.inReplyTo)
	}
	body := func() {
		switch {
		case m.html != "" && m.text == "":
			b.WriteString("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + m.html + "\r\n")
		default:
			b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + m.text + "\r\n")
		}
	}
	if m.zip == nil {
		body()
		return []byte(b.String())
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"BOUND\"\r\n\r\n--BOUND\r\n")
	body()
	fmt.Fprintf(&b, "--BOUND\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", m.zipName)
	b.WriteString(base64Lines(m.zip) + "\r\n--BOUND--\r\n")
	return []byte(b.String())
}

// base64Lines encodes data as a mailer does: 76-character lines.
func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	return b.String() + enc
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// randomSender returns the ref of listing position seq dated clock, with
// a From domain, address and recipients drawn from a few each, so that
// the sender tests meet the address rule, the recipient rule and both at
// once, and empty fields.
func randomSender(rng *rand.Rand, seq int, clock time.Time) *Ref {
	pick := func(prefix string, n int) string { return fmt.Sprint(prefix, rng.IntN(n)) }
	r := &Ref{ID: model.MessageID(fmt.Sprint(seq)), Seq: seq, Date: clock}
	if rng.IntN(10) > 0 {
		r.FromDomain = pick("d", 3)
	}
	if rng.IntN(5) > 0 {
		r.FromAddr = pick("u", 3) + "@" + r.FromDomain
	}
	for range rng.IntN(4) {
		r.Recipients = append(r.Recipients, pick("r", 5)+"@example.jp")
	}
	slices.Sort(r.Recipients)
	r.Recipients = slices.Compact(r.Recipients)
	return r
}
