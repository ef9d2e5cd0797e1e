package console

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/analysis"
	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/action"
	"mxaudit/mailsrc/action/smtptest"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui/app"
)

// The action fixture is a real quarantine for the console's action tests:
// a Maildir in a temporary directory, analysed by the real analyzer, with
// a policy file, an audit log, a real action.Service and a real SMTP
// server (go-smtp) on a loopback port that keeps what it receives.

// quarantineMail is one message of the fixture: its Maildir file name
// (which makes its ID) and its raw text.
type quarantineMail struct {
	file string
	raw  string
}

func mailText(from, to, subject, date, extra, body string) string {
	return "Return-Path: <bounce@" + from[strings.LastIndexByte(from, '@')+1:len(from)-1] + ">\r\n" +
		"X-Original-To: " + to + "\r\n" +
		"Received: from mx.partner.example (mx.partner.example [192.0.2.10]) by gw.example.co.jp; " + date + "\r\n" +
		"From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " + date + "\r\n" +
		"Message-ID: <" + subject[:4] + "@partner.example>\r\nMIME-Version: 1.0\r\n" + extra + body
}

// fixtureMails are three messages: a clean one, a clean one to two
// recipients (one outside example.co.jp), and one with an executable
// attachment, which the release rules hold.
var fixtureMails = []quarantineMail{
	{"1764300001.M1P1.gw", mailText("Partner <info@partner.example>", "taro@example.co.jp", "Quote for November",
		"Fri, 28 Nov 2026 09:00:00 +0900", "Content-Type: text/plain\r\n\r\n", "Please find the quote.\r\n")},
	{"1764300002.M2P1.gw", mailText("Partner <info@partner.example>", "hanako@example.co.jp, ext@other.example", "Meeting notes",
		"Fri, 28 Nov 2026 10:00:00 +0900", "Content-Type: text/plain\r\n\r\n", "Notes attached inline.\r\n")},
	{"1764300003.M3P1.gw", mailText("Accounts <ap@supplier.example>", "taro@example.co.jp", "Invoice overdue",
		"Fri, 28 Nov 2026 11:00:00 +0900",
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n",
		"--b1\r\nContent-Type: text/plain\r\n\r\nSee the invoice.\r\n--b1\r\n"+
			"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"invoice.exe\"\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n"+base64.StdEncoding.EncodeToString([]byte("MZ\x90\x00 not really a program"))+
			"\r\n--b1--\r\n")},
}

// actionFixture is a quarantine with everything the console needs to act.
type actionFixture struct {
	dir, policyPath, auditPath string
	src                        mailsrc.Source
	sink                       *smtpSink
}

func newActionFixture(t *testing.T) *actionFixture {
	t.Helper()
	base := t.TempDir()
	f := &actionFixture{dir: filepath.Join(base, "quarantine"),
		policyPath: filepath.Join(base, "policy.toml"), auditPath: filepath.Join(base, "audit.jsonl")}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(f.dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range fixtureMails {
		if err := os.WriteFile(filepath.Join(f.dir, "cur", m.file+":2,S"), []byte(m.raw), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	src, err := mailsrc.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	f.src = src
	f.sink = newSMTPSink(t)
	return f
}

// config returns the console configuration of user acting on the
// fixture, with approvers sato and suzuki.
func (f *actionFixture) config(t *testing.T, user string) Config {
	t.Helper()
	approvers := []string{"sato", "suzuki"}
	policy := store.NewPolicyStore(f.policyPath, f.auditPath, approvers)
	audit, err := store.OpenAuditLog(f.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	op := model.Operator{User: user}
	svc, err := action.New(action.Config{
		Source: f.src, SourceName: f.dir, Policy: policy, Audit: audit, Operator: op,
		Relay: f.sink.Addr, HomeDomains: []string{"example.co.jp"}, HeloName: "mxaudit.test",
		Now: func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	an := analysis.New(analysis.Config{})
	src := f.src
	st := &stub{
		scan: func(ctx context.Context, emit func(model.Message) error, progress func(scan.Progress)) error {
			var ids []model.MessageID
			if err := src.List(ctx, func(e mailsrc.Entry) error {
				ids = append(ids, e.ID)
				return nil
			}); err != nil {
				return err
			}
			for i, id := range ids {
				rc, err := src.Open(ctx, id)
				if err != nil {
					return err
				}
				msg := an.Analyze(ctx, id, rc)
				rc.Close()
				if err := emit(msg); err != nil {
					return err
				}
				progress(scan.Progress{Listed: len(ids), Analysed: i + 1, Done: true})
			}
			return nil
		},
		open: src.Open,
	}
	desk := &app.Desk{Policy: policy, AuditPath: f.auditPath, Operator: op}
	return Config{
		Title:     "maildir quarantine",
		Now:       func() time.Time { return testNow },
		NoticeTTL: -1,
		Source:    st,
		Passwords: st,
		Reports:   st,
		Actions:   svc,
		Policy:    desk,
		Audit:     desk,
		Operator:  op,
	}
}

// idOf returns the message ID of fixture mail i.
func idOf(i int) model.MessageID { return model.MessageID(fixtureMails[i].file) }

// The tests' relay: a real SMTP server on loopback (smtptest).
type smtpSink = smtptest.Sink

func newSMTPSink(t *testing.T) *smtpSink { return smtptest.Start(t) }

// runCmd runs cmd and feeds what it returns back into m, following
// batches and the commands those return, until nothing is left or a
// message matching stop arrives. It is how the direct Update tests let
// commands (a dry run, an action's results) complete without a program.
func runCmd(t *testing.T, m *Model, cmd tea.Cmd, stop func(tea.Msg) bool) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	deadline := time.Now().Add(20 * time.Second)
	for len(queue) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("commands did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case headerDueMsg, statsTickMsg:
			continue // timers the tests do not wait for
		}
		_, next := m.Update(msg)
		if stop != nil && stop(msg) {
			return
		}
		queue = append(queue, next)
	}
}

// loadedFixture returns a console over the fixture for user, sized
// width×height, with the scan done and the policy read.
func loadedFixture(t *testing.T, f *actionFixture, user string, width, height int) *Model {
	t.Helper()
	m := newModel(t.Context(), f.config(t, user), true)
	m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	runCmd(t, m, m.Init(), nil)
	if m.table.Total() != len(fixtureMails) || m.policy == nil {
		t.Fatalf("fixture not loaded: %d messages, policy %v", m.table.Total(), m.policy != nil)
	}
	return m
}
