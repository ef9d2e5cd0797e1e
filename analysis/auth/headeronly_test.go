package auth

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/mailsrc/demo/corpus"
)

// TestOfflineCheckReadsTheHeaderAlone holds HeaderOnly to what Check
// does: an offline checker handed a message's header section (up to and
// including the line that ends it, as readHeaderInto finds it) answers
// exactly as one handed the whole message, on the demo quarantine, bulk
// mail, edge cases of the section's end and, where present, the
// third-party corpus's signed mail. A change that made the offline check
// read the body (a body hash, the section's completeness) fails here
// before analysis.Analyzer hands it the header alone.
func TestOfflineCheckReadsTheHeaderAlone(t *testing.T) {
	c := NewChecker(Config{Offline: true, TrustedHosts: []string{demo.TrustedMTA}})
	if !c.HeaderOnly() {
		t.Fatal("an offline checker does not say it reads the header alone")
	}
	if NewChecker(Config{Resolver: NewCachingResolver(nil)}).HeaderOnly() {
		t.Fatal("a live checker says it reads the header alone")
	}
	msgs := map[string]string{
		"no blank line":   "From: a@b.example\r\nSubject: x\r\n",
		"CR CR LF ends":   "From: a@b.example\r\n\r\r\nAuthentication-Results: " + demo.TrustedMTA + "; dmarc=pass header.from=b.example\r\n",
		"LF ends":         "From: a@b.example\n\nbody\n",
		"empty":           "",
		"blank first":     "\r\nFrom: a@b.example\r\n\r\n",
		"CR only at EOF":  "From: a@b.example\r\n\r",
		"DKIM, long body": "DKIM-Signature: v=1; a=rsa-sha256; d=b.example; s=s; h=from; bh=x; b=y\r\nFrom: a@b.example\r\n\r\n" + strings.Repeat("body\r\n", 5000),
	}
	for _, s := range demo.Samples(demo.Options{}) {
		msgs["demo "+s.Name] = string(s.Raw)
	}
	if err := demo.Bulk(300, 5, func(s demo.Sample) error { msgs["bulk "+s.Name] = string(s.Raw); return nil }); err != nil {
		t.Fatal(err)
	}
	if root, _ := corpus.Root(); root != "" {
		for _, sub := range []string{"dkim", "authres"} {
			_ = filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() && mailLike(p) {
					if b, err := os.ReadFile(p); err == nil {
						msgs["corpus "+p] = string(b)
					}
				}
				return nil
			})
		}
	} else {
		t.Log("third-party corpus absent: demo and edge cases only")
	}
	for name, raw := range msgs {
		whole, wholeErr := c.Check(context.Background(), strings.NewReader(raw))
		head, headErr := c.Check(context.Background(), strings.NewReader(headerSectionOf(raw)))
		if (wholeErr == nil) != (headErr == nil) || wholeErr != nil && wholeErr.Error() != headErr.Error() || !reflect.DeepEqual(whole, head) {
			t.Errorf("%s: the header alone gives\n%+v %v\nthe whole message\n%+v %v", name, head, headErr, whole, wholeErr)
		}
	}
}

// headerSectionOf returns raw up to and including the first line (split
// at '\n') that holds nothing but '\r' before its '\n', or all of raw.
func headerSectionOf(raw string) string {
	for i := 0; i < len(raw); {
		j := strings.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		if strings.Trim(raw[i:i+j], "\r") == "" {
			return raw[:i+j+1]
		}
		i += j + 1
	}
	return raw
}

// mailLike reports whether the corpus file at p is a message.
func mailLike(p string) bool {
	switch filepath.Ext(p) {
	case ".eml", ".msg", ".message", ".txt":
		return true
	}
	return false
}
