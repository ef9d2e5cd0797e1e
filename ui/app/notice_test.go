package app

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"golang.org/x/text/encoding/japanese"

	"mxaudit/mailsrc/action/smtptest"
	"mxaudit/model"
)

var jst = time.FixedZone("JST", 9*60*60)

// heldMail is a PPAP mail as the analysis summarises it.
func heldMail() model.Message {
	return model.Message{
		ID: "cur/1", MessageID: "<20261120084200.abc@partner.example.co.jp>",
		From: "山田 太郎 <taro.yamada@partner.example.co.jp>", FromAddr: "taro.yamada@partner.example.co.jp", FromDomain: "partner.example.co.jp",
		Subject: "見積書送付の件", Date: time.Date(2026, 11, 20, 17, 42, 0, 0, jst),
		Attachments: []model.Attachment{{Filename: "見積書_2026-11.zip", Archive: &model.Archive{Encrypted: true, Entries: []model.Entry{{Name: "明細.xlsx"}}}}},
		Auth:        &model.Auth{DMARC: model.DMARCResult{OrgDomain: "example.co.jp"}},
	}
}

var notifyCfg = NotifyConfig{
	From: "security@sakura-shoji.example", FromName: "情報システム部 セキュリティ担当",
	Organization: "さくら商事株式会社", Alternative: "当社のファイル共有サービス（https://files.sakura-shoji.example/）",
	Contacts: map[string]string{"example.co.jp": "it@example.co.jp"},
}

// draftFor renders and encodes a shipped template for the held mail with
// fixed headers.
func draftFor(t *testing.T, name string, cfg NotifyConfig, m model.Message) ([]byte, string) {
	t.Helper()
	tmpl, err := LoadNoticeTemplate(t.TempDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	d := NoticeDataFor(cfg, []model.Message{m})
	dr, err := tmpl.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	return EncodeNotice(dr, NoticeHeaders{
		From:      mail.Address{Name: cfg.FromName, Address: cfg.From},
		To:        mail.Address{Name: d.SenderName, Address: d.SenderAddress},
		Cc:        []string{d.Contact},
		Date:      time.Date(2026, 11, 24, 10, 0, 0, 0, jst),
		MessageID: "<notice.0001@sakura-shoji.example>",
		InReplyTo: m.MessageID,
	})
}

// TestNoticeGolden pins both shipped drafts byte for byte: the Japanese
// one in ISO-2022-JP (7bit, RFC 2047 B words that each end in ASCII),
// the English one in UTF-8. Run with -update to rewrite.
func TestNoticeGolden(t *testing.T) {
	en := notifyCfg
	en.FromName, en.Organization, en.Alternative = "IT Security", "Sakura Trading Co., Ltd.", "our file transfer service at https://files.sakura-shoji.example/"
	tests := []struct {
		name    string
		cfg     NotifyConfig
		charset string
		want    []string // in the decoded body
	}{
		{"ppap-ja", notifyCfg, "ISO-2022-JP", []string{"山田 太郎 様", "件名　　：見積書送付の件", "2026年11月20日 17:42", "見積書_2026-11.zip"}},
		{"ppap-en", en, "UTF-8", []string{"Dear 山田 太郎,", "Subject: 見積書送付の件", "Fri, 20 Nov 2026 17:42 JST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, charset := draftFor(t, tt.name, tt.cfg, heldMail())
			if charset != tt.charset {
				t.Errorf("charset %s, want %s", charset, tt.charset)
			}
			golden.RequireEqual(t, raw)
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
			for _, line := range strings.Split(head, "\r\n") {
				if len(line) > 78 {
					t.Errorf("header line of %d characters: %q", len(line), line)
				}
			}
			body, _ := io.ReadAll(msg.Body)
			if charset == "ISO-2022-JP" {
				for _, b := range raw {
					if b >= 0x80 {
						t.Fatal("8-bit byte in an ISO-2022-JP message")
					}
				}
				body, _ = japanese.ISO2022JP.NewDecoder().Bytes(body)
			}
			for _, w := range tt.want {
				if !bytes.Contains(body, []byte(w)) && !strings.Contains(decodeQP(t, body), w) {
					t.Errorf("body lacks %q", w)
				}
			}
			if got := msg.Header.Get("Cc"); got != "it@example.co.jp" {
				t.Errorf("Cc %q", got)
			}
		})
	}
}

// TestNoticeSubjectWords checks that a long Japanese subject is split
// into encoded words that each decode alone.
func TestNoticeSubjectWords(t *testing.T) {
	subject := strings.Repeat("パスワード付きZIPファイルの受信停止について", 3)
	enc := encodeWords(subject, "ISO-2022-JP")
	var got strings.Builder
	for _, w := range strings.Split(enc, "\r\n ") {
		if len(w) > 62 {
			t.Errorf("word of %d characters", len(w))
		}
		dec, err := decodeISO2022Word(w)
		if err != nil {
			t.Fatalf("%q: %v", w, err)
		}
		got.WriteString(dec)
	}
	if got.String() != subject {
		t.Errorf("decoded %q", got.String())
	}
}

// TestNoticeFallsBackToUTF8 checks that text ISO-2022-JP cannot carry
// (here an emoji in the held mail's subject) makes the whole message
// UTF-8 rather than a damaged one.
func TestNoticeFallsBackToUTF8(t *testing.T) {
	m := heldMail()
	m.Subject = "見積書 📎"
	raw, charset := draftFor(t, "ppap-ja", notifyCfg, m)
	if charset != "UTF-8" || !bytes.Contains(raw, []byte("charset=UTF-8")) {
		t.Errorf("charset %s", charset)
	}
}

func TestLoadNoticeTemplate(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ppap-en.tmpl"), []byte(`{{define "subject"}}Local{{end}}{{define "body"}}Hi {{.SenderName}}{{end}}`), 0o600)
	os.WriteFile(filepath.Join(dir, "nobody.tmpl"), []byte(`{{define "subject"}}x{{end}}`), 0o600)
	os.WriteFile(filepath.Join(dir, "typo.tmpl"), []byte(`{{define "subject"}}{{.Sender}}{{end}}{{define "body"}}x{{end}}`), 0o600)
	tests := []struct {
		name, want, err string
	}{
		{"ppap-en", "Local", ""},
		{"ppap-ja", "【ご案内】", ""},
		{"nobody", "", `no {{define "body"}} block`},
		{"../etc/passwd", "", "a name is letters"},
		{"missing", "", "not shipped"},
		{"typo", "", "can't evaluate field Sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := LoadNoticeTemplate(dir, tt.name)
			var dr Draft
			if err == nil {
				dr, err = tmpl.Render(NoticeDataFor(notifyCfg, []model.Message{heldMail()}))
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(dr.Subject, tt.want) {
				t.Errorf("subject %q, error %v", dr.Subject, err)
			}
		})
	}
}

// TestSendNotice sends a notice through a real SMTP server and checks
// the audit record and the once-per-period lookup it feeds.
func TestSendNotice(t *testing.T) {
	sink := smtptest.Start(t)
	desk := NewDeskIn(t.TempDir(), func(string) string { return "" }, "sato")
	raw, _ := draftFor(t, "ppap-ja", notifyCfg, heldMail())
	n := Notice{Partner: "example.co.jp", Template: "ppap-ja", From: notifyCfg.From,
		Rcpts: []string{"taro.yamada@partner.example.co.jp", "it@example.co.jp"}, Raw: raw,
		MessageID: "<notice.0001@sakura-shoji.example>", Held: heldMail()}
	if last, err := desk.LastNotice("example.co.jp"); err != nil || !last.IsZero() {
		t.Fatalf("before: %v, %v", last, err)
	}
	if err := desk.SendNotice(context.Background(), sink.Addr, "/q", n); err != nil {
		t.Fatal(err)
	}
	got := sink.Deliveries()
	if len(got) != 1 || got[0].From != notifyCfg.From || len(got[0].Rcpts) != 2 || !bytes.Equal(got[0].Data, raw) {
		t.Fatalf("deliveries %+v", got)
	}
	if last, err := desk.LastNotice("example.co.jp"); err != nil || last.IsZero() {
		t.Errorf("after: %v, %v", last, err)
	}
	if last, _ := desk.LastNotice("example.com"); !last.IsZero() {
		t.Error("another partner counts as notified")
	}
	// A relay that refuses is audited as a failure and does not count.
	sink.Refuse("it@example.co.jp")
	n.Partner = "example.net"
	if err := desk.SendNotice(context.Background(), sink.Addr, "/q", n); err == nil {
		t.Fatal("refused notice reported as sent")
	}
	if last, _ := desk.LastNotice("example.net"); !last.IsZero() {
		t.Error("a failed notice counts as sent")
	}
}

// decodeQP decodes a quoted-printable body.
func decodeQP(t *testing.T, b []byte) string {
	t.Helper()
	out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// decodeISO2022Word decodes one ISO-2022-JP encoded word on its own.
func decodeISO2022Word(w string) (string, error) {
	dec := mime.WordDecoder{CharsetReader: func(_ string, r io.Reader) (io.Reader, error) {
		return japanese.ISO2022JP.NewDecoder().Reader(r), nil
	}}
	return dec.Decode(w)
}
