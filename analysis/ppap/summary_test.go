package ppap_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
)

// A message analysed from an IMAP summary (rebuilt from the server's
// BODYSTRUCTURE, with no digest of the whole) is read back whole by
// pairing, through another parser than the server's: the two may number
// the attachments differently. Pairing must then decrypt nothing rather
// than one archive's bytes in the place of another's. These tests were
// written by a reviewer who found that it did.

const summaryPassword = "Mitsumori-8841"

// sameSizeZips returns an archive with an executable and a benign one
// whose listings have the same sizes: nothing but their bytes differ.
func sameSizeZips(t *testing.T) (evil, benign []byte) {
	t.Helper()
	mk := func(data string) []byte {
		var buf bytes.Buffer
		w := yzip.NewWriter(&buf)
		fw, err := w.Encrypt("invoice.txt", summaryPassword, yzip.StandardEncryption)
		if err == nil {
			_, err = fw.Write([]byte(data))
		}
		if err != nil || w.Close() != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	text := "Dear customer, please find the invoice for March attached. Regards, Yamada"
	evil = mk("MZ" + text[2:])
	for i := range 200 {
		if benign = mk(fmt.Sprintf("%c%c", 'A'+i%26, 'a'+i/26) + text[2:]); len(benign) == len(evil) {
			return evil, benign
		}
	}
	t.Fatal("no benign archive of the evil one's size")
	return nil, nil
}

func base64Part(header string, data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	return header + "Content-Transfer-Encoding: base64\r\n\r\n" + b.String() + enc + "\r\n"
}

func partnerMail(id, subject, contentType, body string) []byte {
	return []byte("From: Yamada <yamada@partner.example>\r\nTo: tanaka@sakura.example\r\nSubject: " + subject + "\r\n" +
		"Date: " + time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC).Format(time.RFC1123Z) + "\r\nMessage-ID: <" + id + "@p>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: " + contentType + "\r\n\r\n" + body)
}

// pairSummary pairs zip, analysed from a summary, with pw, reading back
// through open.
func pairSummary(an *analysis.Analyzer, open ppap.Opener, zip, pw model.Message) model.Message {
	ppap.NewPairer(ppap.Config{Analyzer: an}, open).Pair(context.Background(), &zip, ppap.RefOf(&zip, 0), []*ppap.Ref{ppap.RefOf(&pw, 1)})
	return zip
}

// TestSummaryPairingOnDovecot: a part Dovecot takes for unnamed body text
// ("text/plain; foo; name=x.txt") and mxaudit's parser for a file holds a
// benign archive of b.zip's size before b.zip. Pairing once decrypted it
// in b.zip's place and reported b.zip's contents clean.
func TestSummaryPairingOnDovecot(t *testing.T) {
	evil, benign := sameSizeZips(t)
	zipPart := base64Part("Content-Type: application/zip\r\nContent-Disposition: attachment; filename=\"b.zip\"\r\n", evil)
	decoy := base64Part("Content-Type: text/plain; foo; name=\"x.txt\"\r\n", benign)
	for _, withDecoy := range []bool{false, true} {
		t.Run(fmt.Sprintf("decoy %v", withDecoy), func(t *testing.T) {
			body := "--B\r\nContent-Type: text/plain\r\n\r\nplease see attached\r\n--B\r\n"
			if withDecoy {
				body += decoy + "--B\r\n"
			}
			body += zipPart + "--B--\r\n"
			d := dovecottest.Start(t, dovecottest.Options{})
			d.Append("Quarantine", partnerMail("zip", "見積書", "multipart/mixed; boundary=\"B\"", body),
				partnerMail("pw", "【パスワード通知】見積書", "text/plain; charset=utf-8", "パスワード："+summaryPassword+"\r\n"))
			t.Setenv(imap.PasswordEnv, dovecottest.Password)
			src, err := imap.Open(context.Background(), imap.Config{URL: "imaps://" + dovecottest.User + "@" + d.TLSAddr + "/Quarantine",
				CAFile: d.CAFile, ReleaseMailbox: "Released", Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			an := analysis.New(analysis.Config{})
			var ms []model.Message
			err = src.ListSummaries(context.Background(), analysis.NeedPart(64<<20), func(s mailsrc.Summary) error {
				ms = append(ms, an.AnalyzeSummary(context.Background(), s.Entry.ID, s.Message))
				return nil
			})
			if err != nil || len(ms) != 2 {
				t.Fatalf("%d summaries, %v", len(ms), err)
			}
			m := pairSummary(an, src.Open, ms[0], ms[1])
			att := m.Attachments[len(m.Attachments)-1]
			if att.Filename != "b.zip" || att.Archive == nil {
				t.Fatalf("attachments %+v", m.Attachments)
			}
			a := att.Archive
			switch {
			case a.Decrypted && (len(a.Entries) != 1 || !a.Entries[0].Decrypted || !hasRisk(a.Entries[0].Risks, model.RiskExecutable)):
				t.Errorf("b.zip reported decrypted, but not from its own bytes: %+v", a)
			case !withDecoy && !a.Decrypted:
				t.Errorf("b.zip not opened without the decoy: %+v", a)
			}
			if m.Verdict.Attachment == model.AttachmentClean {
				t.Errorf("verdict clean: %+v", m.Verdict)
			}
		})
	}
}

// TestSummaryPairingElidedPicture: an inline picture over the fetch limit
// is an attachment (not inspected) in the summary and none in the whole
// message, so every later attachment's number is off by one.
func TestSummaryPairingElidedPicture(t *testing.T) {
	evil, benign := sameSizeZips(t)
	zip := func(name string, data []byte) string {
		return base64Part("Content-Type: application/zip\r\nContent-Disposition: attachment; filename=\""+name+"\"\r\n", data)
	}
	img := "Content-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n"
	raw := partnerMail("zip", "見積書", "multipart/mixed; boundary=\"B\"",
		"--B\r\n"+img+"\r\nR0lGODlhAQABAAAAADs=\r\n--B\r\n"+zip("a.zip", evil)+"--B\r\n"+zip("b.zip", benign)+"--B--\r\n")
	summary := partnerMail("zip", "見積書", "multipart/mixed; boundary=\"B\"",
		"--B\r\n"+img+model.ElidedHeader+": 90000000\r\n\r\n\r\n--B\r\n"+zip("a.zip", evil)+"--B\r\n"+zip("b.zip", benign)+"--B--\r\n")
	pwRaw := partnerMail("pw", "【パスワード通知】見積書", "text/plain; charset=utf-8", "パスワード："+summaryPassword+"\r\n")
	an := analysis.New(analysis.Config{})
	ctx := context.Background()
	m := an.AnalyzeSummary(ctx, "zip", summary)
	pw := an.AnalyzeSummary(ctx, "pw", pwRaw)
	open := func(_ context.Context, id model.MessageID) (io.ReadCloser, error) {
		if id == "zip" {
			return io.NopCloser(bytes.NewReader(raw)), nil
		}
		return io.NopCloser(bytes.NewReader(pwRaw)), nil
	}
	m = pairSummary(an, open, m, pw)
	for _, att := range m.Attachments {
		a := att.Archive
		if a == nil || !a.Decrypted {
			continue
		}
		evilEntry := len(a.Entries) == 1 && hasRisk(a.Entries[0].Risks, model.RiskExecutable)
		if (att.Filename == "a.zip") != evilEntry {
			t.Errorf("%s decrypted from another attachment's bytes: %+v", att.Filename, a.Entries)
		}
	}
}

func hasRisk(risks []model.Risk, r model.Risk) bool {
	for _, x := range risks {
		if x == r {
			return true
		}
	}
	return false
}
