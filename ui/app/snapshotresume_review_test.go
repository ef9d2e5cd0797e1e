package app

// From the security review of the resume from the snapshot's tail
// (snapshotresume.go).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"mxaudit/model"
)

// zipOf is the message id of msgs.
func zipOf(t *testing.T, msgs []model.Message, id model.MessageID) model.Message {
	t.Helper()
	i := slices.IndexFunc(msgs, func(m model.Message) bool { return m.ID == id })
	if i < 0 {
		t.Fatalf("no %s", id)
	}
	return msgs[i]
}

// writeDecoy delivers, listed after the ZIP mail z (name), a mail from
// its sender to its recipients, dated a minute after it, with a
// password-like line that does not open it and a risky attachment: a
// candidate the waiting ZIP mail pins, which its pairing does not credit.
func writeDecoy(t *testing.T, dir, name string, z model.Message) {
	t.Helper()
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: 【パスワード通知】%s\r\nDate: %s\r\nMessage-ID: <decoy-%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"+
		"--B\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nパスワード：Wrong-98765\r\n"+
		"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"tool.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n--B--\r\n",
		z.FromAddr, z.To[0], z.Subject, z.Date.Add(60e9).Format("Mon, 02 Jan 2006 15:04:05 -0700"), name)
	if err := os.WriteFile(filepath.Join(dir, "new", name), []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReviewResumedRowOfAnUncreditedPin: the snapshot's tail holds a
// waiting ZIP mail and a decoy it pins (a password-like line, a risky
// attachment). When the real password mail comes, the resumed pairing
// opens the ZIP mail with it and lets the decoy go un-noted. The row the
// console is handed for the decoy, and the message Message reads back,
// must be what a scan without cache gives (risky, with its attachment).
func TestReviewResumedRowOfAnUncreditedPin(t *testing.T) {
	h := newHeldBack(t, func(dir string, cfg Config, zip model.MessageID) {
		writeDecoy(t, dir, "1999999990.M1P1.decoy", zipOf(t, freshScan(t, dir, cfg), zip))
		if d := zipOf(t, freshScan(t, dir, cfg), "1999999990.M1P1.decoy"); d.Verdict.Attachment != model.AttachmentRisky {
			t.Fatalf("the decoy is %q, not risky: the test shows nothing", d.Verdict.Attachment)
		}
	})
	a, dir, cfg, zip := h.a, h.dir, h.cfg, h.zip
	h.passwordComes(t)
	want := freshScan(t, dir, cfg)
	if opened(ptr(zipOf(t, want, zip))) != "1999999999.M1P1.password" {
		t.Fatal("a scan without cache does not open the ZIP mail with the password mail listed last")
	}
	s := scanRows(t, a)
	if len(s.rows) == 0 || !a.ScanReplayed() {
		t.Fatal("the scan did not hand out the kept list (no resume)")
	}
	for _, r := range s.rows {
		if r.ID() == "1999999990.M1P1.decoy" {
			t.Logf("decoy row: attachment %q auth %q risky %v noAuth %v", r.Attachment, r.Auth, r.Has(model.RowRisky), r.Has(model.RowNoAuth))
		}
	}
	m, err := a.Message(context.Background(), "1999999990.M1P1.decoy")
	if err != nil {
		t.Fatalf("decoy read back: %v", err)
	}
	t.Logf("decoy read back: encoded %v, attachments %d, verdict %+v", m.IsEncoded(), len(m.Attachments), m.Verdict)
	policy := &model.Policy{}
	got := model.ReleaseDecision(&m, policy, model.Operator{User: "op"}, time.Now())
	whole := model.ReleaseDecision(ptr(zipOf(t, want, "1999999990.M1P1.decoy")), policy, model.Operator{User: "op"}, time.Now())
	t.Logf("release decision on the message read back: %v (%s); on the whole listing's: %v (%s)", got.Outcome, got.Sentence, whole.Outcome, whole.Sentence)
	if got.Outcome != whole.Outcome {
		t.Errorf("the release decision on the decoy read back is %v, the whole listing's %v", got.Outcome, whole.Outcome)
	}
	sameAsFresh(t, "the password mail come, a decoy pinned", a, s, want)
}

func ptr(m model.Message) *model.Message { return &m }
