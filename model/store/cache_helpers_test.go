package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

const (
	testSource      = "imap://quarantine@mx1.example.com/Quarantine"
	testFingerprint = "analyzer=1.4.0;trusted=mx1.example.com;offline=false;dns=192.0.2.53"
)

// cacheTestNow is the fixed clock of the cache tests.
var cacheTestNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// clockAt returns a WithClock option whose time the test moves.
func clockAt(t *time.Time) CacheOption {
	return WithClock(func() time.Time { return *t })
}

// sampleMessage is a hand-built message using every part of the model:
// nested archives, authentication, PPAP links, a date in a +09:00 zone,
// Japanese text, and both nil and empty slices.
func sampleMessage(i int) model.Message {
	jst := time.FixedZone("JST", 9*3600)
	return model.Message{
		ID:         model.MessageID(fmt.Sprintf("7/%d", i)),
		MessageID:  fmt.Sprintf("<m%d@example.co.jp>", i),
		From:       "山田 太郎 <taro@example.co.jp>",
		FromAddr:   "taro@example.co.jp",
		FromDomain: "example.co.jp",
		ReturnPath: "bounce@example.co.jp",
		To:         []string{"buyer@example.com"},
		Subject:    fmt.Sprintf("請求書 %d — \"quoted\" <tag> & \u2028 \ufffd", i),
		Date:       time.Date(2026, 11, 20, 9, 30, 15, 0, jst),
		Size:       int64(1000 + i),
		InReplyTo:  "<prev@example.co.jp>",
		References: []string{"<a@x>", "<prev@example.co.jp>"},
		Attachments: []model.Attachment{{
			Filename: "請求書.zip", ContentType: "application/zip", Size: 4096,
			Risks: []model.Risk{},
			Archive: &model.Archive{
				Format: "zip", Encrypted: true, Encryption: model.EncryptionAES256, TotalEntries: 2,
				Decrypted: true, PasswordSource: "7/99", PasswordAttempts: 3,
				Scan: &model.ScanResult{Engine: "clamd", Result: model.ScanClean},
				Entries: []model.Entry{
					{Name: "invoice.pdf.exe", Size: 100, CompressedSize: 80, Encrypted: true, Encryption: model.EncryptionAES256,
						Risks: []model.Risk{model.RiskExecutable, model.RiskDoubleExtension}},
					{Name: "inner.zip", Size: 50, CompressedSize: 50, Archive: &model.Archive{
						Format: "zip", Entries: []model.Entry{{Name: "a.js", Risks: []model.Risk{model.RiskExecutable}}}, TotalEntries: 1,
					}},
				},
			},
		}},
		Auth: &model.Auth{
			Source: model.SourceLive,
			SPF:    model.SPFResult{Result: model.ResultPass, Domain: "example.co.jp", IP: "192.0.2.1", Aligned: true, Source: model.SourceLive},
			DKIM:   []model.DKIMResult{{Result: model.ResultFail, Domain: "example.co.jp", Selector: "s1", Reason: "body hash mismatch"}},
			DMARC:  model.DMARCResult{Result: model.ResultPass, FromDomain: "example.co.jp", Policy: model.DispositionReject, Pct: 100},
		},
		Verdict:     model.Verdict{Attachment: model.AttachmentEncrypted, Auth: model.AuthPass, Reasons: []string{"encrypted archive"}},
		PasswordFor: []model.PasswordLink{{Message: "7/98", Attachment: 0, Filename: "a.zip"}},
	}
}

// viaJSON is m after a JSON round trip: what the cache can promise.
// JSON keeps every value but not two distinctions no code relies on: an
// omitempty slice that was empty comes back nil, and a time comes back in
// a zone of the same offset (Local when it matches, else unnamed), without
// its monotonic reading. The Date is normalised to UTC after checking that
// instant and offset survived.
func viaJSON(t testing.TB, m model.Message) model.Message {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out model.Message
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// assertSameMessage fails unless got is want as the cache promises it:
// equal after a JSON round trip of want, the Date the same instant with
// the same UTC offset, and Exception never restored.
func assertSameMessage(t testing.TB, got, want model.Message) {
	t.Helper()
	want.Exception = nil
	want = viaJSON(t, want)
	if !got.Date.Equal(want.Date) {
		t.Fatalf("date %v, want %v", got.Date, want.Date)
	}
	_, gotOff := got.Date.Zone()
	_, wantOff := want.Date.Zone()
	if gotOff != wantOff {
		t.Fatalf("date offset %d, want %d", gotOff, wantOff)
	}
	got.Date, want.Date = got.Date.UTC(), want.Date.UTC()
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Fatalf("cached message differs:\n got %s\nwant %s", gb, wb)
	}
}

// openTestCache opens the cache of testSource in dir, failing the test
// on error.
func openTestCache(t testing.TB, dir string, opts ...CacheOption) *Cache {
	t.Helper()
	c, err := OpenCache(dir, testSource, testFingerprint, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fillCache opens a cache in a new directory, puts sampleMessage(0..n-1)
// under keys "7/0".., closes it, and returns the directory and file path.
func fillCache(t testing.TB, n int, opts ...CacheOption) (string, string) {
	t.Helper()
	dir := t.TempDir()
	c := openTestCache(t, dir, opts...)
	for i := range n {
		if err := c.Put(fmt.Sprintf("7/%d", i), sampleMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, c.path
}

// fileLines returns the file's lines, each with its newline.
func fileLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))
}

var (
	realMu   sync.Mutex
	realMsgs = map[int][]model.Message{}
)

// realMessages returns n messages produced the way a scan produces them:
// the demo generator's bulk quarantine, analysed without authentication.
// Each n is made once per test binary.
func realMessages(tb testing.TB, n int) []model.Message {
	tb.Helper()
	realMu.Lock()
	defer realMu.Unlock()
	if msgs, ok := realMsgs[n]; ok {
		return msgs
	}
	an := analysis.New(analysis.Config{})
	msgs := make([]model.Message, 0, n)
	err := demo.Bulk(n, 1, func(s demo.Sample) error {
		msgs = append(msgs, an.Analyze(context.Background(), model.MessageID(s.Name), bytes.NewReader(s.Raw)))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	realMsgs[n] = msgs
	return msgs
}
