package imap

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
)

// quarantineMessage is message i of a mix closer to a real quarantine
// than testMessage: 60 % HTML-only (~20 KB), 20 % with a ~200 KB PDF,
// 15 % with a ~100 KB ZIP, 5 % with a ~500 KB image.
func quarantineMessage(i int) []byte {
	html := "<html><body>" + strings.Repeat("<p>Dear customer, your invoice is ready. </p>\r\n", 400) + "</body></html>\r\n"
	hdr := strings.SplitN(string(testMessage(kindPlain+numKinds*i)), "Content-Type:", 2)[0]
	att := func(ct, name string, size int) string {
		b := make([]byte, size)
		rand.Read(b)
		return "\r\n--q\r\nContent-Type: " + ct + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(b)
	}
	body := "Content-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
	switch r := i % 20; {
	case r < 12:
	case r < 16:
		body += att("application/pdf", "invoice.pdf", 200<<10)
	case r < 19:
		body += att("application/zip", "invoice.zip", 100<<10)
	default:
		body += att("image/jpeg", "photo.jpg", 500<<10)
	}
	return []byte(hdr + body + "\r\n--q--\r\n")
}

// TestIMAPFigures measures listing strategies against a real Dovecot.
// It runs only with MXAUDIT_BENCH_IMAP=1 (MXAUDIT_BENCH_N messages,
// default 2000) and prints a table.
func TestIMAPFigures(t *testing.T) {
	if os.Getenv("MXAUDIT_BENCH_IMAP") != "1" {
		t.Skip("set MXAUDIT_BENCH_IMAP=1 to measure")
	}
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("MXAUDIT_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	d := dovecottest.Start(t, dovecottest.Options{})
	var total int64
	start := time.Now()
	for lo := 0; lo < n; lo += 200 {
		var raws [][]byte
		for i := lo; i < min(lo+200, n); i++ {
			raw := quarantineMessage(i)
			total += int64(len(raw))
			raws = append(raws, raw)
		}
		d.Append("Quarantine", raws...)
	}
	t.Logf("loaded %d messages, %.1f MB, in %v", n, float64(total)/1e6, time.Since(start).Round(time.Millisecond))

	type row struct {
		name     string
		dur      time.Duration
		cmds, in int64
	}
	var rows []row
	measure := func(name string, f func(s *Source)) {
		s := mustOpenDovecot(t, d, nil)
		before := s.Stats()
		t0 := time.Now()
		f(s)
		st := s.Stats()
		rows = append(rows, row{name, time.Since(t0), st.Commands - before.Commands, st.BytesIn - before.BytesIn})
		s.Close()
	}
	measure("List (ID, size, date)", func(s *Source) {
		if err := s.List(context.Background(), func(mailsrc.Entry) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
	measure("ListSummaries (no bodies)", func(s *Source) {
		err := s.ListSummaries(context.Background(), func(model.PartInfo) bool { return false }, func(sum mailsrc.Summary) error { return sum.Entry.Err })
		if err != nil {
			t.Fatal(err)
		}
	})
	measure("ListSummaries (zip bodies only)", func(s *Source) {
		err := s.ListSummaries(context.Background(), needArchives, func(sum mailsrc.Summary) error { return sum.Entry.Err })
		if err != nil {
			t.Fatal(err)
		}
	})
	measure("List + Open every message", func(s *Source) {
		var ids []model.MessageID
		s.List(context.Background(), func(e mailsrc.Entry) error { ids = append(ids, e.ID); return nil })
		for _, id := range ids {
			rc, err := s.Open(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, rc)
			rc.Close()
		}
	})
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%-34s %10s %9s %12s\n", "strategy ("+strconv.Itoa(n)+" msgs, imaps)", "time", "commands", "bytes in")
	for _, r := range rows {
		fmt.Fprintf(&sb, "%-34s %10v %9d %12d\n", r.name, r.dur.Round(time.Millisecond), r.cmds, r.in)
	}
	// curl refuses answers over 300 KB, so the floor is taken in chunks
	// of 10 UIDs, one curl (one connection) each.
	if curl, err := exec.LookPath("curl"); err == nil {
		t0 := time.Now()
		var got int
		runs := 0
		for lo := 1; lo <= n; lo += 10 {
			cmd := exec.Command(curl, "-sS", "-u", dovecottest.User+":"+dovecottest.Password, "imap://"+d.Addr+"/Quarantine",
				"-X", fmt.Sprintf("UID FETCH %d:%d (ENVELOPE BODYSTRUCTURE RFC822.SIZE BODY.PEEK[HEADER])", lo, min(lo+9, n)))
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Errorf("curl: %v: %s", err, errOut.String())
			}
			got += out.Len()
			runs++
		}
		fmt.Fprintf(&sb, "%-34s %10v %9d %12d\n", "curl floor (UID FETCH per 10, plain)", time.Since(t0).Round(time.Millisecond), runs, got)
	}
	t.Log(sb.String())
}
