package auth

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/dnszone"
	"mxaudit/mailsrc/demo/corpus"
	"mxaudit/model"
)

// The key records that dkim/SOURCE.md lists for the messages that must pass.
const (
	brisbaneKey = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	gmailKey    = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQs8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbbhzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5OctMEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598HY+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"
)

func readCorpus(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dnsJSONZone reads mailauth's fake-resolver file: {name: {"TXT": [[chunk, …]]}}.
func dnsJSONZone(t *testing.T, data string) dnszone.Zone {
	var m map[string]map[string][][]string
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatal(err)
	}
	var z dnszone.Zone
	for name, types := range m {
		for _, rec := range types["TXT"] {
			z = append(z, dnszone.Record{Name: name, Type: "TXT", Value: strings.Join(rec, "")})
		}
	}
	return z
}

// bindTXT reads one BIND zone TXT line, joining its quoted strings.
func bindTXT(t *testing.T, data string) dnszone.Record {
	name, _, _ := strings.Cut(strings.TrimSpace(data), " ")
	var value strings.Builder
	for _, m := range regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(data, -1) {
		value.WriteString(m[1])
	}
	return dnszone.Record{Name: strings.TrimSuffix(name, "."), Type: "TXT", Value: value.String()}
}

// tinydnsTXT reads a tinydns "'fqdn:text:ttl:timestamp:lo" line; the text
// escapes special bytes as \NNN octal.
func tinydnsTXT(t *testing.T, data string) dnszone.Record {
	fields := strings.Split(strings.TrimPrefix(strings.TrimSpace(data), "'"), ":")
	if len(fields) < 2 {
		t.Fatalf("tinydns line %q", data)
	}
	value := regexp.MustCompile(`\\[0-7]{3}`).ReplaceAllStringFunc(fields[1], func(s string) string {
		n, _ := strconv.ParseUint(s[1:], 8, 8)
		return string(rune(n))
	})
	return dnszone.Record{Name: fields[0], Type: "TXT", Value: value}
}

// stalwartFile splits a stalwart-mail-auth file into its DNS records (one
// "name value" line each) and the message.
func stalwartFile(data string) (dnszone.Zone, string) {
	records, msg, _ := strings.Cut(data, "\n\n")
	var z dnszone.Zone
	for _, line := range strings.Split(records, "\n") {
		if name, value, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			z = append(z, dnszone.Record{Name: strings.TrimSuffix(name, "."), Type: "TXT", Value: value})
		}
	}
	return z, msg
}

// verifyCorpus checks msg against a loopback DNS server serving zone.
func verifyCorpus(t *testing.T, zone dnszone.Zone, msg string) []model.DKIMResult {
	t.Helper()
	c, _, _ := liveChecker(t, zone)
	return check(t, c, msg).DKIM
}

func TestDKIMCorpus(t *testing.T) {
	dir := corpus.Dir(t, "dkim")
	dkimpyTest := strings.TrimSpace(readCorpus(t, dir, "dkimpy/test.txt"))
	testKeyAt := func(record string) dnszone.Zone {
		return dnszone.Zone{
			{Name: "brisbane._domainkey.football.example.com", Type: "TXT", Value: brisbaneKey},
			{Name: "test._domainkey.football.example.com", Type: "TXT", Value: strings.TrimSpace(record)},
		}
	}
	type result struct {
		r      model.Result
		reason string
	}
	tests := []struct {
		name string
		zone func() dnszone.Zone
		msg  string
		want []result
	}{
		{name: "rfc8463-mailauth/signed.eml", zone: func() dnszone.Zone { return dnsJSONZone(t, readCorpus(t, dir, "rfc8463-mailauth/dns.json")) },
			msg: readCorpus(t, dir, "rfc8463-mailauth/signed.eml"), want: []result{{r: model.ResultPass}, {r: model.ResultPass}}},
		{name: "rfc8463-mailauth/signed.eml as CRLF", zone: func() dnszone.Zone { return dnsJSONZone(t, readCorpus(t, dir, "rfc8463-mailauth/dns.json")) },
			msg: crlf(readCorpus(t, dir, "rfc8463-mailauth/signed.eml")), want: []result{{r: model.ResultPass}, {r: model.ResultPass}}},
		{name: "dkimpy/rfc6376.signed.msg (simple/simple)", zone: func() dnszone.Zone { return testKeyAt(dkimpyTest) },
			msg: readCorpus(t, dir, "dkimpy/rfc6376.signed.msg"), want: []result{{r: model.ResultPass}, {r: model.ResultPass}}},
		{name: "dkimpy key without k=", zone: func() dnszone.Zone { return testKeyAt(readCorpus(t, dir, "dkimpy/test2.txt")) },
			msg: readCorpus(t, dir, "dkimpy/rfc6376.signed.msg"), want: []result{{r: model.ResultPass}, {r: model.ResultPass}}},
		{name: "dkimpy badversion.txt", zone: func() dnszone.Zone { return testKeyAt(readCorpus(t, dir, "dkimpy/badversion.txt")) },
			msg: readCorpus(t, dir, "dkimpy/rfc6376.signed.msg"), want: []result{{r: model.ResultPass}, {r: model.ResultPermError, reason: "unusable"}}},
		{name: "dkimpy badk.txt", zone: func() dnszone.Zone { return testKeyAt(readCorpus(t, dir, "dkimpy/badk.txt")) },
			msg: readCorpus(t, dir, "dkimpy/rfc6376.signed.msg"), want: []result{{r: model.ResultPass}, {r: model.ResultPermError, reason: "unusable"}}},
		{name: "dkimpy test_tlsrpt.txt (s=tlsrpt)", zone: func() dnszone.Zone { return testKeyAt(readCorpus(t, dir, "dkimpy/test_tlsrpt.txt")) },
			msg: readCorpus(t, dir, "dkimpy/rfc6376.signed.msg"), want: []result{{r: model.ResultPass}, {r: model.ResultPermError, reason: "not for email"}}},
		{name: "dkimpy test_bad.txt (corrupted key)", zone: func() dnszone.Zone { return testKeyAt(readCorpus(t, dir, "dkimpy/test_bad.txt")) },
			msg: readCorpus(t, dir, "dkimpy/rfc6376.signed.msg"), want: []result{{r: model.ResultPass}, {r: model.ResultPermError, reason: "unusable"}}},
		{name: "dkimpy/test2.message (degenerate folding)", zone: func() dnszone.Zone {
			return dnszone.Zone{{Name: "20120113._domainkey.gmail.com", Type: "TXT", Value: gmailKey}}
		}, msg: readCorpus(t, dir, "dkimpy/test2.message"), want: []result{{r: model.ResultPass}}},
		{name: "dkimpy/ed25519test2.msg (Exim)", zone: func() dnszone.Zone {
			return dnszone.Zone{{Name: "sed._domainkey.test.ex", Type: "TXT", Value: strings.TrimSpace(readCorpus(t, dir, "dkimpy/eximtest.dns"))}}
		}, msg: readCorpus(t, dir, "dkimpy/ed25519test2.msg"), want: []result{{r: model.ResultPass}}},
	}
	for _, f := range []string{"gmail.msg", "multipart-no-end-boundary.msg", "related.msg"} {
		tests = append(tests, struct {
			name string
			zone func() dnszone.Zone
			msg  string
			want []result
		}{name: "mimekit/" + f, zone: func() dnszone.Zone {
			return dnszone.Zone{{Name: "20120113._domainkey.gmail.com", Type: "TXT", Value: gmailKey}}
		}, msg: readCorpus(t, dir, "mimekit/"+f), want: []result{{r: model.ResultPass}}})
	}
	for i := 1; i <= 6; i++ {
		name := "stalwart-mail-auth/00" + strconv.Itoa(i) + ".txt"
		zone, msg := stalwartFile(readCorpus(t, dir, name))
		n := strings.Count(msg, "\nDKIM-Signature:")
		if strings.HasPrefix(msg, "DKIM-Signature:") {
			n++
		}
		want := make([]result, n)
		for j := range want {
			want[j] = result{r: model.ResultPass}
			if i == 5 {
				// x=1667930064: expired with the real clock (SOURCE.md).
				want[j] = result{r: model.ResultPermError, reason: "signature expired 2022-11-08"}
			}
		}
		tests = append(tests, struct {
			name string
			zone func() dnszone.Zone
			msg  string
			want []result
		}{name: name, zone: func() dnszone.Zone { return zone }, msg: msg, want: want})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := verifyCorpus(t, tc.zone(), tc.msg)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d results %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				if got[i].Result != w.r || !strings.Contains(got[i].Reason, w.reason) {
					t.Errorf("signature %d (d=%s s=%s): %s %q, want %s %q", i, got[i].Domain, got[i].Selector, got[i].Result, got[i].Reason, w.r, w.reason)
				}
			}
		})
	}
}

// TestDKIMCorpusKeyFormats signs with MimeKit's example.pem and verifies
// against its public key as published in BIND and in tinydns form.
func TestDKIMCorpusKeyFormats(t *testing.T) {
	dir := corpus.Dir(t, "dkim")
	block, _ := pem.Decode([]byte(readCorpus(t, dir, "mimekit/example.pem")))
	if block == nil {
		t.Fatal("example.pem: no PEM block")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	msg := sign(t, plainMessage, "example.com", "1433868189.example", key, time.Time{})
	for _, tc := range []struct {
		name string
		rec  dnszone.Record
	}{
		{"bind9", bindTXT(t, readCorpus(t, dir, "mimekit/example.bind9"))},
		{"tinydns", tinydnsTXT(t, readCorpus(t, dir, "mimekit/example.tinydns"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rec.Name != "1433868189.example._domainkey.example.com" || !strings.HasPrefix(tc.rec.Value, "v=DKIM1;") {
				t.Fatalf("record %+v", tc.rec)
			}
			got := verifyCorpus(t, dnszone.Zone{tc.rec}, msg)
			if len(got) != 1 || got[0].Result != model.ResultPass {
				t.Fatalf("%+v", got)
			}
		})
	}
}

// The mailauth messages were signed by real domains whose keys are not in
// the corpus (dkim/mailauth/SOURCE.md): they cannot be verified here.
func TestDKIMCorpusWithoutKeys(t *testing.T) {
	dir := corpus.Dir(t, "dkim")
	if _, err := os.Stat(filepath.Join(dir, "mailauth")); err != nil {
		t.Skip("mailauth folder absent")
	}
	t.Skip("SKIP: dkim/mailauth messages: public keys not provided upstream (see dkim/mailauth/SOURCE.md); their Authentication-Results are used in TestAuthResultsCorpusMessages")
}
