package action

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// rssDirEnv names the directory of the release memory measurement, which
// is run by hand (see docs/actions.md, "Resource limits"):
//
//	go test -c -o /tmp/action.test ./mailsrc/action
//	MXAUDIT_RSS_DIR=/tmp/rss /tmp/action.test -test.run TestReleaseRSS   # writes the quarantine
//	MXAUDIT_RSS_DIR=/tmp/rss /usr/bin/time -v /tmp/action.test -test.run TestReleaseRSS
//
// The first run writes a 256 MiB message as a gzip file of about 10 MB;
// the second releases it into a Maildir and prints the peak RSS, which
// must stay far below the message's size.
const rssDirEnv = "MXAUDIT_RSS_DIR"

// rssMessageBytes is the size of the measured message once expanded.
const rssMessageBytes = 256 << 20

func TestReleaseRSS(t *testing.T) {
	dir := os.Getenv(rssDirEnv)
	if dir == "" {
		t.Skip("SKIP: set " + rssDirEnv + " to measure the memory of releasing a 256 MiB message (run by hand)")
	}
	quar := filepath.Join(dir, "quarantine")
	if _, err := os.Stat(quar); err != nil {
		writeBigMessage(t, quar)
		t.Logf("wrote %s; run again to measure the release", quar)
		return
	}
	ctx := context.Background()
	src, err := mailsrc.Open(quar)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	audit, err := store.OpenAuditLog(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Source: src, Policy: store.NewPolicyStore(filepath.Join(dir, "policy.toml"), audit.Path(), nil),
		Audit: audit, Operator: model.Operator{User: "tanaka"}, DeliverMaildir: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	releaseMeasured(ctx, t, s, "big.gz", "release")
}

// releaseMeasured releases message id (a clean message of a@example.com)
// through s and logs the test process's peak RSS, which is what the
// release-memory figures quote.
func releaseMeasured(ctx context.Context, t *testing.T, s *Service, id model.MessageID, what string) {
	t.Helper()
	m := &model.Message{ID: id, FromAddr: "a@example.com", FromDomain: "example.com",
		Verdict: model.Verdict{Attachment: model.AttachmentClean}}
	p, err := s.Plan(ctx, Request{Kind: Release, IDs: []model.MessageID{m.ID}}, []*model.Message{m})
	if err != nil || p.Blocked != 0 {
		t.Fatalf("plan: %v %+v", err, p.Items)
	}
	r := s.Execute(ctx, p, nil)[0]
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t.Logf("%s of a %d MiB message: %s; peak RSS %d MiB", what, rssMessageBytes>>20, r.Outcome, ru.Maxrss>>10)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
}

// writeBigMessage writes quar/big.gz: a message whose body is lines drawn
// from a small set, so that 256 MiB compress to about 10 MB.
func writeBigMessage(t *testing.T, quar string) {
	if err := os.MkdirAll(quar, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(quar, "big.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if err := writeBigRaw(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeBigRaw writes a message of rssMessageBytes to w: a body of lines
// drawn from a small set, so that it compresses to about 10 MB.
func writeBigRaw(out io.Writer) error {
	w := bufio.NewWriter(out)
	header, _ := fmt.Fprint(w, "X-Envelope-From: <a@example.com>\r\nX-Envelope-To: <b@example.jp>\r\n"+
		"Received: from mx.example.com by mx.example.jp; Fri, 4 Dec 2026 09:00:00 +0000\r\n"+
		"From: a@example.com\r\nTo: b@example.jp\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n")
	rng := rand.New(rand.NewPCG(1, 2))
	var lines [64]string
	for i := range lines {
		var b strings.Builder
		for range 76 {
			b.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng.IntN(64)])
		}
		lines[i] = b.String() + "\r\n"
	}
	for n := header; n+78 <= rssMessageBytes; n += 78 {
		w.WriteString(lines[rng.IntN(len(lines))])
	}
	return w.Flush()
}
