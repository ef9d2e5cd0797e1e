package analysis

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/yeka/zip"

	"mxaudit/model"
)

// gifThenZip is a GIF header followed by an encrypted ZIP: a picture to a
// viewer, an archive to unzip, which reads from the end record.
func gifThenZip(t *testing.T) []byte {
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	return append(gif, buildZip(t, zipFile{name: "setup.exe", data: "MZ", password: "p", method: zip.StandardEncryption})...)
}

// TestInlineImageSearched: an unnamed inline picture of a
// multipart/related body (Content-ID, no file name) is searched for
// archives like any attachment (review finding 9).
func TestInlineImageSearched(t *testing.T) {
	related := part{
		header: "Content-Type: multipart/related; boundary=\"REL\"\r\n",
		body: "--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<img src=\"cid:logo\">\r\n" +
			"--REL\r\nContent-Type: image/gif\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64Lines(gifThenZip(t)) + "\r\n--REL--\r\n",
	}
	m := analyse(t, buildMessage(stdHeader, related))
	if m.Verdict.Attachment != model.AttachmentEncrypted {
		t.Errorf("verdict %q, want encrypted (reasons %q)", m.Verdict.Attachment, m.Verdict.Reasons)
	}
	// A plain inline picture stays body content: no attachment.
	plain := part{header: "Content-Type: image/gif\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n", body: base64Lines([]byte("GIF89a\x01\x00\x01\x00"))}
	if m := analyse(t, buildMessage(stdHeader, textPart, plain)); len(m.Attachments) != 0 || m.Verdict.Attachment != model.AttachmentClean {
		t.Errorf("plain inline GIF: %d attachments, verdict %q", len(m.Attachments), m.Verdict.Attachment)
	}
}

// TestElidedPartsNotInspected: an IMAP scan that left out a declared
// archive (over the fetch limit) or a picture must not call the mail
// clean (review finding 7); elided text is judged by its name.
func TestElidedPartsNotInspected(t *testing.T) {
	elided := func(name, ct, octets string) part {
		return part{header: "Content-Type: " + ct + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name +
			"\"\r\nContent-Transfer-Encoding: base64\r\nX-Mxaudit-Elided: " + octets + "\r\n"}
	}
	for _, tt := range []struct {
		name string
		p    part
		want model.AttachmentVerdict
	}{
		{"archive over the limit", elided("invoice.zip", "application/zip", "94000000"), model.AttachmentRisky},
		{"picture", elided("photo.gif", "image/gif", "7800"), model.AttachmentRisky},
		{"text", elided("notes.txt", "text/plain", "780"), model.AttachmentClean},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Config{}).AnalyzeSummary(context.Background(), "1/1", []byte(buildMessage(stdHeader, textPart, tt.p)))
			if m.Verdict.Attachment != tt.want {
				t.Errorf("verdict %q, want %q (reasons %q)", m.Verdict.Attachment, tt.want, m.Verdict.Reasons)
			}
			if tt.want != model.AttachmentClean && !slices.Contains(m.Attachments[0].Risks, model.RiskNotInspected) {
				t.Errorf("risks %v lack %s", m.Attachments[0].Risks, model.RiskNotInspected)
			}
		})
	}
	if !NeedPart(64 << 20)(model.PartInfo{ContentType: "image/gif", Filename: "photo.gif", Size: 1000}) {
		t.Error("NeedPart leaves pictures out: a GIF with a ZIP behind it would go unseen")
	}
}

// TestOverLimitArchiveSignature: a picture larger than the inspection
// limit with an encrypted ZIP at its end (unzip extracts it) is
// not-inspected, never clean (review finding 6); so is a declared archive
// over the limit.
func TestOverLimitArchiveSignature(t *testing.T) {
	big := append(append([]byte("GIF89a"), make([]byte, 4096)...), gifThenZip(t)[6:]...)
	cfg := Config{MaxArchiveBytes: 1024}
	for _, p := range []part{attachment("photo.gif", "image/gif", big), attachment("invoice.zip", "application/zip", big)} {
		m := New(cfg).Analyze(context.Background(), "x", strings.NewReader(buildMessage(stdHeader, textPart, p)))
		if m.Verdict.Attachment == model.AttachmentClean || !slices.Contains(m.Attachments[0].Risks, model.RiskNotInspected) {
			t.Errorf("%s: verdict %q, risks %v", m.Attachments[0].Filename, m.Verdict.Attachment, m.Attachments[0].Risks)
		}
	}
	plain := attachment("photo.gif", "image/gif", append([]byte("GIF89a"), make([]byte, 4096)...))
	if m := New(cfg).Analyze(context.Background(), "x", strings.NewReader(buildMessage(stdHeader, textPart, plain))); m.Verdict.Attachment != model.AttachmentClean {
		t.Errorf("a large plain picture: verdict %q (reasons %q)", m.Verdict.Attachment, m.Verdict.Reasons)
	}
}

// TestSigWatcherSplit: a signature split across writes is seen.
func TestSigWatcherSplit(t *testing.T) {
	data := append(make([]byte, 100), "PK\x05\x06"...)
	for _, step := range []int{1, 2, 3, 7, 101} {
		var w sigWatcher
		for i := 0; i < len(data); i += step {
			_, _ = w.Write(data[i:min(i+step, len(data))])
		}
		if !w.seen {
			t.Errorf("step %d: signature not seen", step)
		}
	}
	var w sigWatcher
	_, _ = w.Write(make([]byte, 1000))
	if w.seen {
		t.Error("zeros seen as a signature")
	}
}

// TestOverLimitEncryptedZipFromTail: an encrypted ZIP larger than the
// inspection limit is still encrypted, from the central directory in its
// last bytes (review finding 6); a plain one is not-inspected.
func TestOverLimitEncryptedZipFromTail(t *testing.T) {
	cfg := Config{MaxArchiveBytes: 1024}
	pad := make([]byte, 80<<10)
	for _, tt := range []struct {
		z    zipFile
		want model.AttachmentVerdict
	}{
		{zipFile{name: "setup.exe", data: "MZ", password: "p", method: zip.AES256Encryption}, model.AttachmentEncrypted},
		{zipFile{name: "readme.txt", data: "hello"}, model.AttachmentRisky},
	} {
		big := append(append([]byte("GIF89a"), pad...), buildZip(t, tt.z)...)
		for _, p := range []part{attachment("photo.gif", "image/gif", big), attachment("big.zip", "application/zip", big)} {
			m := New(cfg).Analyze(context.Background(), "x", strings.NewReader(buildMessage(stdHeader, textPart, p)))
			if m.Verdict.Attachment != tt.want || !slices.Contains(m.Attachments[0].Risks, model.RiskNotInspected) {
				t.Errorf("%s holding %s: verdict %q, want %q; risks %v", m.Attachments[0].Filename, tt.z.name, m.Verdict.Attachment, tt.want, m.Attachments[0].Risks)
			}
		}
	}
}
