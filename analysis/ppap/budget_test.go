package ppap

import (
	"fmt"
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

// manyEntriesMail is a ZIP mail whose archive holds n small AES entries,
// and its password mail.
func manyEntriesMail(t testing.TB, n int) (testMail, testMail) {
	files := make([]zipFile, n)
	for i := range files {
		files[i] = zipFile{fmt.Sprintf("f%05d.txt", i), []byte(fmt.Sprintf("entry %d of the test archive\n", i))}
	}
	zipBytes := makeZip(t, "Right#2026", yzip.AES256Encryption, files...)
	zm := testMail{from: "a@x.example", to: "b@y.example", subject: "資料", date: t0, msgID: "<z@x>", text: "資料です", zipName: "many.zip", zip: zipBytes}
	pm := testMail{from: "a@x.example", to: "b@y.example", subject: "パスワード", date: t0.Add(2 * time.Minute), msgID: "<p@x>", text: "PW: Right#2026"}
	return zm, pm
}

// TestBudgetManyEntries: an archive of 9,990 entries with its password
// mail costs about the budget, not seconds, and says what was not checked.
func TestBudgetManyEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP in -short: building 9,990 AES entries takes seconds")
	}
	zm, pm := manyEntriesMail(t, 9990)
	start := time.Now()
	m, _ := pairOne(t, Config{}, zm, pm)
	took := time.Since(start)
	arc := m.Attachments[0].Archive
	t.Logf("9,990 entries: %s, decrypted %v, reasons %q", took, arc.Decrypted, m.Verdict.Reasons)
	if took > 3*time.Second {
		t.Errorf("pairing took %s, want about the 1 s budget", took)
	}
	if arc.NotChecked != model.NotCheckedBudget || !strings.Contains(strings.Join(m.Verdict.Reasons, " "), "not checked: budget") ||
		strings.Contains(strings.Join(m.Verdict.Reasons, " "), "contents clean") {
		t.Errorf("not checked %q, reasons %q", arc.NotChecked, m.Verdict.Reasons)
	}
	if m.Verdict.Attachment != model.AttachmentEncrypted {
		t.Errorf("verdict %s, want encrypted", m.Verdict.Attachment)
	}
}

// TestBudgetWork: the count bound alone stops the work, whatever the
// machine's speed: with 50 units an archive of 200 entries is opened
// (one attempt) and 49 of its files decrypted.
func TestBudgetWork(t *testing.T) {
	zm, pm := manyEntriesMail(t, 200)
	m, _ := pairOne(t, Config{MaxWork: 50, Budget: time.Hour}, zm, pm)
	arc := m.Attachments[0].Archive
	opened, total := countOpened(arc)
	if !arc.Decrypted || opened != 49 || total != 200 || arc.NotChecked != model.NotCheckedBudget {
		t.Errorf("decrypted %v, %d of %d opened, not checked %q", arc.Decrypted, opened, total, arc.NotChecked)
	}
	// A budget that ends before the password is found: the archive stays
	// shut and says so.
	m, _ = pairOne(t, Config{MaxWork: 1, Budget: time.Hour}, zm, testMail{from: pm.from, to: pm.to, subject: pm.subject,
		date: pm.date, msgID: pm.msgID, text: "PW: Wrong#1\r\nPW: Right#2026"})
	arc = m.Attachments[0].Archive
	if arc.Decrypted || arc.NotChecked != model.NotCheckedBudget || !strings.Contains(strings.Join(m.Verdict.Reasons, " "), "not checked: budget") {
		t.Errorf("shut archive: decrypted %v, not checked %q, reasons %q", arc.Decrypted, arc.NotChecked, m.Verdict.Reasons)
	}
}

// TestDecidedStopsDecrypting: once a decrypted entry is risky the message
// needs a risky-type exception whatever the rest holds, so the rest is not
// decrypted, and the reason says so.
func TestDecidedStopsDecrypting(t *testing.T) {
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 200)...)
	files := []zipFile{{"invoice.txt", exe}}
	for i := range 5 {
		files = append(files, zipFile{fmt.Sprintf("f%d.txt", i), []byte("plain text\n")})
	}
	zipBytes := makeZip(t, "Right#2026", yzip.AES256Encryption, files...)
	zm := testMail{from: "a@x.example", to: "b@y.example", subject: "資料", date: t0, msgID: "<z@x>", text: "資料です", zipName: "a.zip", zip: zipBytes}
	pm := testMail{from: "a@x.example", to: "b@y.example", subject: "パスワード", date: t0.Add(2 * time.Minute), msgID: "<p@x>", text: "PW: Right#2026"}
	m, _ := pairOne(t, Config{}, zm, pm)
	arc := m.Attachments[0].Archive
	opened, total := countOpened(arc)
	reasons := strings.Join(m.Verdict.Reasons, " ")
	if m.Verdict.Attachment != model.AttachmentRisky || arc.NotChecked != model.NotCheckedDecided || opened != 1 || total != 6 ||
		!strings.Contains(reasons, "not checked: already risky") {
		t.Errorf("verdict %s, not checked %q, %d of %d opened, reasons %q", m.Verdict.Attachment, arc.NotChecked, opened, total, reasons)
	}
}
