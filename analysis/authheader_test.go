package analysis_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"mxaudit/analysis"
	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestHeaderOnlyCheckAgreesWithStream checks that an offline checker
// handed the header section the walk recorded (HeaderOnlyChecker) answers
// exactly as one the whole message is streamed to, whatever the section's
// end looks like, wherever the reads split it, and when the message is
// cut short by a read error or the size limit: the whole analysis must
// come out the same.
func TestHeaderOnlyCheckAgreesWithStream(t *testing.T) {
	const trusted = "mx1.quarantine.example"
	ar := "Authentication-Results: " + trusted + "; spf=pass smtp.mailfrom=b.example; dkim=pass header.d=b.example; dmarc=pass header.from=b.example\r\n"
	forged := "Authentication-Results: " + trusted + "; dmarc=pass header.from=evil.example\r\n"
	received := "Received: from mail.b.example (mail.b.example [198.51.100.7]) by " + trusted + " (Postfix) with ESMTPS id 1; Mon, 2 Nov 2026 10:00:00 +0900\r\n"
	fields := "From: Sender <s@b.example>\r\nTo: r@a.example\r\nSubject: hello\r\nDate: Mon, 2 Nov 2026 10:00:00 +0900\r\n"
	head := received + ar + fields
	bigField := "X-Filler: " + strings.Repeat("x", 40_000) + "\r\n"
	// fill returns a header section (fields and blank line) of exactly n
	// bytes, or the fields of n bytes without one.
	fill := func(n int, blank bool) string {
		end := "\r\n"
		if !blank {
			end = ""
		}
		base := head
		pad := n - len(base) - len(end) - len("X-Pad: \r\n")
		return base + "X-Pad: " + strings.Repeat("p", pad) + "\r\n" + end
	}
	inputs := map[string]string{
		"empty":                    "",
		"blank first line":         "\r\n" + head + "\r\nbody\r\n",
		"bare LF blank first line": "\n" + head,
		"header only":              strings.TrimSuffix(head, "\r\n"),
		"header only, CR last":     head + "\r",
		"header only, CRs last":    head + "\r\r\r",
		"CR CR LF ends the header": head + "\r\r\n" + forged + "\r\nbody\r\n",
		"LF ends the header":       strings.ReplaceAll(head, "\r\n", "\n") + "\n" + forged,
		"spaces are no blank line": received + fields + " \r\n" + ar + "\r\nbody\r\n",
		"a tab is no blank line":   received + fields + "\t\r\n" + ar + "\r\nbody\r\n",
		"CR space is no blank":     received + fields + "\r \r\n" + ar + "\r\nbody\r\n",
		"tab line then blank":      head + "\t\r\n\r\n" + forged,
		"blank then forged":        head + "\r\n" + forged + "\r\n",
		"lone CR mid-field":        "From: s@b.example\rX-Bad: y\r\n" + ar + "\r\nbody",
		"NUL in header":            "From: s@b.example\x00\r\n" + ar + "\r\n",
		"long field":               head + bigField + "\r\nbody\r\n",
		"long field, no blank":     head + bigField,
		"section at the limit":     fill(auth.MaxHeaderBytes, true) + "body\r\n",
		"section one past":         fill(auth.MaxHeaderBytes+1, true) + "body\r\n",
		"section two past":         fill(auth.MaxHeaderBytes+2, true) + "body\r\n",
		"section one short":        fill(auth.MaxHeaderBytes-1, true) + "body\r\n",
		"fields at the limit":      fill(auth.MaxHeaderBytes, false),
		"fields one past":          fill(auth.MaxHeaderBytes+1, false),
		"demo-like":                head + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello\r\n",
	}
	var demos []demo.Sample
	if err := demo.Bulk(200, 3, func(s demo.Sample) error { demos = append(demos, s); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, s := range demos {
		inputs["demo "+s.Name] = string(s.Raw)
	}
	failure := errors.New("disk gone")
	type source struct {
		name string
		open func(raw string) io.Reader
		// small limits the source to inputs under 64 KiB (a pipe write
		// per byte is slow).
		small bool
	}
	sources := []source{
		{"whole", func(raw string) io.Reader { return strings.NewReader(raw) }, false},
		{"one byte at a time", func(raw string) io.Reader { return iotest.OneByteReader(strings.NewReader(raw)) }, true},
		{"7-byte reads", func(raw string) io.Reader { return &chunked{r: strings.NewReader(raw), n: 7} }, false},
		{"fails in the header", func(raw string) io.Reader {
			return io.MultiReader(strings.NewReader(raw[:len(raw)/8]), iotest.ErrReader(failure))
		}, false},
		{"fails at the end", func(raw string) io.Reader {
			return io.MultiReader(strings.NewReader(raw), iotest.ErrReader(failure))
		}, false},
		// The stream's pipe was closed with the walk's last error, which
		// the checker then reported: a source whose errors change (a
		// connection that fails one way, then another) must tell the
		// same.
		{"fails one way, then another", func(raw string) io.Reader {
			return io.MultiReader(strings.NewReader(raw[:len(raw)/2]), &changingErrors{})
		}, false},
	}
	checker := auth.NewChecker(auth.Config{Offline: true, TrustedHosts: []string{trusted}})
	if !checker.HeaderOnly() {
		t.Fatal("an offline checker does not say it reads the header alone")
	}
	for _, limit := range []int64{0, 200, 3000} {
		recorded := analysis.New(analysis.Config{Auth: checker, MaxMessageBytes: limit})
		streamed := analysis.New(analysis.Config{Auth: streamedChecker{checker}, MaxMessageBytes: limit})
		for name, raw := range inputs {
			for _, src := range sources {
				if src.small && len(raw) > 64<<10 || limit > 0 && len(raw) > 1<<20 {
					continue
				}
				got := recorded.Analyze(context.Background(), "m", src.open(raw))
				want := streamed.Analyze(context.Background(), "m", src.open(raw))
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %s, limit %d: recorded header gives\n%+v\n%+v\nstreamed\n%+v\n%+v", name, src.name, limit, got, got.Auth, want, want.Auth)
				}
			}
		}
	}
}

// TestHeaderOnlyCheckSeesOnlyTheHeader checks what the recorded path
// exists for: the checker reads the header section and the end of the
// stream, never the body.
func TestHeaderOnlyCheckSeesOnlyTheHeader(t *testing.T) {
	body := strings.Repeat("body line\r\n", 10_000)
	for name, tc := range map[string]struct{ raw, header string }{
		"CRLF":     {"From: s@b.example\r\nSubject: x\r\n\r\n" + body, "From: s@b.example\r\nSubject: x\r\n\r\n"},
		"LF":       {"From: s@b.example\n\n" + body, "From: s@b.example\n\n"},
		"CR CR LF": {"From: s@b.example\r\n\r\r\n" + body, "From: s@b.example\r\n\r\r\n"},
	} {
		c := &seenChecker{}
		analysis.New(analysis.Config{Auth: c}).Analyze(context.Background(), "m", iotest.OneByteReader(strings.NewReader(tc.raw)))
		if c.seen != tc.header {
			t.Errorf("%s: the checker read %d bytes %.60q, want the header section %q", name, len(c.seen), c.seen, tc.header)
		}
	}
}

// seenChecker is a header-only checker that keeps what it read.
type seenChecker struct{ seen string }

func (c *seenChecker) HeaderOnly() bool { return true }

func (c *seenChecker) Check(_ context.Context, raw io.Reader) (*model.Auth, error) {
	b, err := io.ReadAll(raw)
	c.seen = string(b)
	return &model.Auth{}, err
}

// changingErrors fails every read, with a new error each time.
type changingErrors struct{ n int }

func (c *changingErrors) Read([]byte) (int, error) {
	c.n++
	return 0, fmt.Errorf("failure %d", c.n)
}

// chunked reads at most n bytes at a time.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

var _ analysis.HeaderOnlyChecker = (*auth.Checker)(nil)
