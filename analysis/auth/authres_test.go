package auth

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo/corpus"
)

// summarize writes a result as "method=value k=v …" with sorted properties.
func summarize(r arResult) string {
	parts := []string{r.method + "=" + r.value}
	var props []string
	for k, v := range r.props {
		props = append(props, k+"="+v)
	}
	slices.Sort(props)
	return strings.Join(append(parts, props...), " ")
}

func summarizeAll(h arHeader) []string {
	var out []string
	for _, r := range h.results {
		out = append(out, summarize(r))
	}
	return out
}

// appendixFields extracts the Authentication-Results fields of RFC 7601
// Appendix B in order, unfolded: a field goes on while the following lines
// are indented deeper than its first line.
func appendixFields(t *testing.T) []string {
	dir := corpus.Dir(t, "authres")
	f, err := os.Open(filepath.Join(dir, "rfc7601-appendix-B.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	var fields []string
	cur, curIndent := "", -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if curIndent >= 0 && trimmed != "" && indent(line) > curIndent {
			cur += " " + trimmed
			continue
		}
		if curIndent >= 0 {
			fields = append(fields, cur)
			curIndent = -1
		}
		if v, ok := strings.CutPrefix(trimmed, "Authentication-Results:"); ok {
			cur, curIndent = strings.TrimSpace(v), indent(line)
		}
	}
	if curIndent >= 0 {
		fields = append(fields, cur)
	}
	return fields
}

func TestAuthResultsRFCAppendix(t *testing.T) {
	fields := appendixFields(t)
	want := []struct {
		id       string
		results  []string
		comments map[int]string // result index → comment
	}{
		{id: "example.org"}, // B.2: "none"
		{id: "example.com", results: []string{"spf=pass smtp.mailfrom=example.net"}},
		{id: "example.com", results: []string{"auth=pass smtp.auth=sender@example.net", "spf=pass smtp.mailfrom=example.net"},
			comments: map[int]string{0: "cram-md5"}},
		{id: "example.com", results: []string{"sender-id=pass header.from=example.net"}},
		{id: "example.com", results: []string{"sender-id=fail header.from=example.com", "dkim=pass header.d=example.com"},
			comments: map[int]string{1: "good signature"}},
		{id: "example.com", results: []string{"auth=pass smtp.auth=sender@example.com", "spf=fail smtp.mailfrom=example.com"}},
		{id: "example.com", results: []string{"dkim=pass header.i=@mail-router.example.net reason=good signature",
			"dkim=fail header.i=@newyork.example.com reason=bad signature"}},
		{id: "example.net", results: []string{"dkim=pass header.i=@newyork.example.com"}},
		{id: "foo.example.net", results: []string{"dkim=fail policy.expired=1362471462"}}, // B.7, comment-heavy
	}
	if len(fields) != len(want) {
		t.Fatalf("found %d fields in the appendix, want %d: %q", len(fields), len(want), fields)
	}
	for i, w := range want {
		h := parseAuthResults(fields[i])
		if h.authservID != w.id || !slices.Equal(summarizeAll(h), w.results) {
			t.Errorf("field %d %q:\n got id %q %q\nwant id %q %q", i, fields[i], h.authservID, summarizeAll(h), w.id, w.results)
			continue
		}
		for idx, c := range w.comments {
			if h.results[idx].comment != c {
				t.Errorf("field %d result %d comment %q, want %q", i, idx, h.results[idx].comment, c)
			}
		}
	}
}

func TestAuthResultsRealWorld(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		id      string
		results []string
		comment map[int]string
	}{
		{name: "Microsoft 365: no authserv-id",
			value:   "spf=softfail (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=fail (signature did not verify) header.d=example.com;dmarc=fail action=quarantine header.from=example.com;compauth=fail reason=001",
			id:      "",
			results: []string{"spf=softfail smtp.mailfrom=example.com", "dkim=fail header.d=example.com", "dmarc=fail action=quarantine header.from=example.com", "compauth=fail reason=001"}},
		{name: "semicolon inside a comment",
			value:   "mx.example.org; spf=pass (mx.example.org: domain of a@b.example; designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@b.example; dkim=pass header.d=b.example",
			id:      "mx.example.org",
			results: []string{"spf=pass smtp.mailfrom=a@b.example", "dkim=pass header.d=b.example"},
			comment: map[int]string{0: "mx.example.org: domain of a@b.example; designates 192.0.2.1 as permitted sender"}},
		{name: "Google DMARC comment",
			value:   "mx.google.com; dkim=pass header.i=@srv.dev header.s=smtp header.b=p4WDZf90; spf=pass (google.com: domain of x@srv.dev designates 1.2.3.4 as permitted sender) smtp.mailfrom=x@srv.dev; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=srv.dev",
			id:      "mx.google.com",
			results: []string{"dkim=pass header.b=p4WDZf90 header.i=@srv.dev header.s=smtp", "spf=pass smtp.mailfrom=x@srv.dev", "dmarc=pass header.from=srv.dev"},
			comment: map[int]string{2: "p=REJECT sp=REJECT dis=NONE"}},
		{name: "LinkedIn: quoted values, semicolon in the DMARC comment",
			value: `mail516.prod.linkedin.com; iprev=pass policy.iprev="10.10.10.10"; spf=neutral smtp.mailfrom="" smtp.helo="mail02.someserver.com"; dkim=none (message not signed) header.d=none; tls=pass (verified) key.ciphersuite="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" cert.client="OU=Domain Control Validated,CN=*.someserver.com"; dmarc=fail (p=none; dis=none) header.from=example.com`,
			id:    "mail516.prod.linkedin.com",
			results: []string{"iprev=pass policy.iprev=10.10.10.10", "spf=neutral smtp.helo=mail02.someserver.com smtp.mailfrom=",
				"dkim=none header.d=none", "tls=pass cert.client=OU=Domain Control Validated,CN=*.someserver.com key.ciphersuite=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
				"dmarc=fail header.from=example.com"},
			comment: map[int]string{4: "p=none; dis=none"}},
		{name: "quoted reason with a semicolon",
			value:   `uvn-67-33.tll01.zonevs.eu; dkim=pass reason="1024-bit key; insecure key" header.d=out.srv.dev header.i=@out.srv.dev header.b=p4WDZf90; dkim-adsp=none (insecure policy); dkim-atps=neutral`,
			id:      "uvn-67-33.tll01.zonevs.eu",
			results: []string{"dkim=pass header.b=p4WDZf90 header.d=out.srv.dev header.i=@out.srv.dev reason=1024-bit key; insecure key", "dkim-adsp=none", "dkim-atps=neutral"}},
		{name: "old Yahoo: stray token after the id",
			value:   "mta1007.mail.sp2.yahoo.com  from=reactive-outpost.com; domainkeys=neutral (no sig);  from=reactive-outpost.com; dkim=neutral (no sig)",
			id:      "mta1007.mail.sp2.yahoo.com",
			results: []string{"domainkeys=neutral", "from=reactive-outpost.com", "dkim=neutral"}},
		{name: "unknown version", value: "mx.example.org 2; spf=pass smtp.mailfrom=a.example", id: "mx.example.org",
			results: []string{"spf=pass smtp.mailfrom=a.example"}},
		{name: "empty", value: "", id: ""},
		{name: "unbalanced comment", value: "mx.example.org; spf=pass (never closed smtp.mailfrom=a.example", id: "mx.example.org",
			results: []string{"spf=pass"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := parseAuthResults(tc.value)
			if h.authservID != tc.id || !slices.Equal(summarizeAll(h), tc.results) {
				t.Fatalf("got id %q %q\nwant id %q %q", h.authservID, summarizeAll(h), tc.id, tc.results)
			}
			for idx, c := range tc.comment {
				if h.results[idx].comment != c {
					t.Fatalf("comment %d = %q, want %q", idx, h.results[idx].comment, c)
				}
			}
		})
	}
}

func TestReceivedSPFParse(t *testing.T) {
	tests := []struct {
		value, result, ip, from, helo string
	}{
		{`pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;`,
			"pass", "192.0.2.1", "myname@example.com", "foo.example.com"},
		{`Pass (mailfrom) identity=mailfrom; client-ip=209.85.128.44; helo=mail-wm1-f44.google.com; envelope-from=x@gmail.com; receiver=<UNKNOWN>`,
			"pass", "209.85.128.44", "x@gmail.com", "mail-wm1-f44.google.com"},
		{`SoftFail (mx: transitioning domain of a@b.example does not designate 2001:db8::1 as permitted sender) client-ip=2001:db8::1;`,
			"softfail", "2001:db8::1", "", ""},
	}
	for _, tc := range tests {
		r, ok := parseReceivedSPF(tc.value)
		if !ok || r.result != tc.result || r.params["client-ip"] != tc.ip || r.params["envelope-from"] != tc.from || r.params["helo"] != tc.helo {
			t.Errorf("%q: got %v %+v", tc.value, ok, r)
		}
	}
	if _, ok := parseReceivedSPF("client-ip=1.2.3.4"); ok {
		t.Error("a field without result word parsed")
	}
}

// The corpus index notes that these corpus messages carry real
// Authentication-Results fields; each must parse to its authserv-id and at
// least one result.
func TestAuthResultsCorpusMessages(t *testing.T) {
	dir := corpus.Dir(t, "dkim")
	files := map[string]string{
		"mailauth/bimi.eml":     "mx.google.com",
		"mimekit/gmail.msg":     "mx.google.com",
		"dkimpy/test.message":   "lists.example.org",
		"mailauth/message4.eml": "uvn-67-33.tll01.zonevs.eu",
	}
	dmarcComment := regexp.MustCompile(`(?i)p=reject`)
	for name, id := range files {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		h, err := readHeader(bufio.NewReader(strings.NewReader(string(raw))))
		if err != nil {
			t.Fatal(err)
		}
		ars := h.all("authentication-results")
		if len(ars) == 0 {
			t.Fatalf("%s: no Authentication-Results", name)
		}
		ar := parseAuthResults(ars[0])
		if ar.authservID != id || len(ar.results) == 0 {
			t.Errorf("%s: id %q results %q", name, ar.authservID, summarizeAll(ar))
		}
		if name == "mailauth/bimi.eml" {
			last := ar.results[len(ar.results)-1]
			if last.method != "dmarc" || !dmarcComment.MatchString(last.comment) {
				t.Errorf("bimi.eml: dmarc result %+v", last)
			}
		}
	}
}

func TestTightenOperators(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dkim  / 1  =  fail policy  .  expired  =  1362471462", "dkim/1=fail policy.expired=1362471462"},
		{"dkim=pass header.b=abc= header.s=x", "dkim=pass header.b=abc= header.s=x"},
		{"spf=pass smtp.helo=host.example. smtp.mailfrom=a@b", "spf=pass smtp.helo=host.example. smtp.mailfrom=a@b"},
		{"id 1; spf =pass", "id 1; spf=pass"},
	}
	for _, tc := range tests {
		if got := tightenOperators(tc.in); got != tc.want {
			t.Errorf("tightenOperators(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
