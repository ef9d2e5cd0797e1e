package ppap

import (
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis/clamd"
	"mxaudit/analysis/clamd/clamdtest"
	"mxaudit/model"
)

// TestClamdOnDecryptedContent runs a real clamd on the decrypted entries:
// EICAR and a custom signature are infected (and make the message risky,
// with the infection as the first reason), clean content is clean, and a
// stopped clamd gives not-scanned, never clean.
func TestClamdOnDecryptedContent(t *testing.T) {
	payload := []byte("mxaudit ppap test payload: treat as malware\n")
	srv := clamdtest.Start(t, clamdtest.Signature{Name: "MxAudit.Test.PPAP", Content: payload})
	client, err := clamd.New(srv.Socket, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Scanner: client}

	mk := func(files ...zipFile) (testMail, testMail) {
		z := makeZip(t, "Scan-me#1", yzip.AES256Encryption, files...)
		return testMail{from: "a@p.example", to: "b@s.example", subject: "請求書", date: t0, msgID: "<z@p>", text: "x", zipName: "請求書.zip", zip: z},
			testMail{from: "a@p.example", to: "b@s.example", subject: "パスワード", date: t0.Add(time.Minute), msgID: "<p@p>", text: "パスワード：Scan-me#1"}
	}
	tests := []struct {
		name    string
		files   []zipFile
		result  model.ScanOutcome
		sig     string
		verdict model.AttachmentVerdict
		reason  string
	}{
		{"eicar", []zipFile{{"readme.txt", []byte("hello")}, {"invoice.com", clamdtest.EICAR()}}, model.ScanInfected, clamdtest.EICARName, model.AttachmentRisky, "INFECTED: " + clamdtest.EICARName},
		{"custom signature", []zipFile{{"data.bin", payload}}, model.ScanInfected, "MxAudit.Test.PPAP", model.AttachmentRisky, "INFECTED: MxAudit.Test.PPAP"},
		{"clean", []zipFile{{"請求書.pdf", []byte("%PDF-1.4\n% invoice\n")}}, model.ScanClean, "", model.AttachmentEncrypted, "contents clean (scanned by clamd)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zm, pm := mk(tt.files...)
			m, _ := pairOne(t, cfg, zm, pm)
			arc := m.Attachments[0].Archive
			if !arc.Decrypted || arc.Scan == nil {
				t.Fatalf("not decrypted or not scanned: %+v", arc)
			}
			if arc.Scan.Result != tt.result || !strings.HasPrefix(arc.Scan.Signature, tt.sig) || arc.Scan.Engine != "clamd" {
				t.Errorf("scan %+v, want %s %s", arc.Scan, tt.result, tt.sig)
			}
			if tt.result == model.ScanInfected && !strings.Contains(m.Verdict.Reasons[0], " in "+tt.files[len(tt.files)-1].name+";") {
				t.Errorf("reason %q does not name the infected file", m.Verdict.Reasons[0])
			}
			if m.Verdict.Attachment != tt.verdict || !strings.Contains(m.Verdict.Reasons[0], tt.reason) {
				t.Errorf("verdict %s, reasons %q; want %s with %q first", m.Verdict.Attachment, m.Verdict.Reasons, tt.verdict, tt.reason)
			}
		})
	}

	srv.Stop()
	zm, pm := mk(zipFile{"eicar.txt", clamdtest.EICAR()})
	m, _ := pairOne(t, cfg, zm, pm)
	arc := m.Attachments[0].Archive
	if arc.Scan == nil || arc.Scan.Result != model.ScanNotScanned || arc.Entries[0].Scan.Result != model.ScanNotScanned {
		t.Fatalf("clamd down: scan %+v", arc.Scan)
	}
	if m.Verdict.Attachment != model.AttachmentEncrypted || !strings.Contains(m.Verdict.Reasons[0], "not scanned by clamd") {
		t.Errorf("clamd down: verdict %s %q", m.Verdict.Attachment, m.Verdict.Reasons)
	}
}
