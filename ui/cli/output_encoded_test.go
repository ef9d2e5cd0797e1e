package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
	"mxaudit/ui/app"
)

// fullDecodeOnly hides App.ScanEncoded: scanTo then decodes every cached
// message and encodes it again, the output the encoded path must match.
type fullDecodeOnly struct{ Listing }

// TestScanJSONEncodedMatchesDecoded: a warm "scan --json" that writes
// cached messages out as they are prints exactly what decoding and
// encoding each of them prints, byte for byte, over the demo quarantine
// and generated mail, with PPAP pairing on and exceptions that cover some
// of the messages (a domain, an address, a message needing no kind).
func TestScanJSONEncodedMatchesDecoded(t *testing.T) {
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(400, 3, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "quarantine")
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	cfg := Config{}
	cfg.Offline, cfg.CacheDir = true, t.TempDir()
	// replay says whether the scan may replay the cache's snapshot of the
	// last scan (app's snapshot.go) instead of pairing through the stream;
	// the scan must do what it is asked to.
	runWith := func(hideEncoded, replay bool, annotate func(model.Message) model.Message) []string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		env := Env{Stdout: &stdout, Stderr: &stderr}
		opts := appOptions(env, nil)
		opts.NoSnapshot = !replay
		a, err := app.Open(context.Background(), dir, cfg, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		var l Listing = a
		if hideEncoded {
			l = fullDecodeOnly{a}
		}
		if err := scanTo(context.Background(), l, formatJSON, env, annotate); err != nil {
			t.Fatalf("scan: %v\n%s", err, stderr.String())
		}
		if a.ScanReplayed() != replay {
			t.Fatalf("replayed %v, want %v", a.ScanReplayed(), replay)
		}
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		slices.Sort(lines) // held PPAP mails are released in the order their pairings end
		return lines
	}
	run := func(hideEncoded bool, annotate func(model.Message) model.Message) []string {
		t.Helper()
		return runWith(hideEncoded, false, annotate)
	}
	cold := run(false, nil)
	if len(cold) != len(samples) {
		t.Fatalf("%d records for %d samples", len(cold), len(samples))
	}
	same := func(what string, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: record %d differs:\ngot  %s\nwant %s", what, i, got[i], want[i])
			}
		}
	}
	// The cold scan recorded a snapshot: a warm scan replays it and
	// prints what the cold one did, encoded or decoded.
	same("replayed, encoded", runWith(false, true, nil), cold)
	same("replayed, decoded", runWith(true, true, nil), cold)

	now := time.Now()
	policy := model.Policy{Approvers: []string{"sato"}}
	except := func(scope model.ExceptionScope, value string) {
		policy.Exceptions = append(policy.Exceptions, model.Exception{
			ID: len(policy.Exceptions) + 1, Scope: scope, Value: value, Reason: "test",
			Kinds:       []model.ExceptionKind{model.KindEncryptedArchive, model.KindRiskyType},
			RequestedBy: "tanaka", Created: now.Add(-time.Hour),
			ApprovedBy: "sato", Approved: now.Add(-time.Hour), Expires: now.Add(24 * time.Hour),
		})
	}
	var encrypted, risky, clean bool
	for _, line := range cold {
		var m model.Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		switch {
		case m.FromDomain == "" || m.FromAddr == "":
		case !encrypted && m.IsEncrypted():
			encrypted = true
			except(model.ScopeDomain, m.FromDomain)
		case !risky && m.IsRisky():
			risky = true
			except(model.ScopeAddress, m.FromAddr)
		case !clean && len(model.RequiredKinds(&m)) == 0:
			clean = true
			except(model.ScopeDomain, m.FromDomain)
		}
	}
	encoded := 0
	annotate := annotateWith(policy, now)
	countEncoded := func(m model.Message) model.Message {
		if m.IsEncoded() {
			encoded++
		}
		return annotate(m)
	}
	decodedOut := run(true, annotate)
	encodedOut := run(false, countEncoded)
	if encoded < len(samples)/2 {
		t.Fatalf("only %d of %d messages came encoded: the warm scan did not take the encoded path", encoded, len(samples))
	}
	withException := 0
	for i := range decodedOut {
		if strings.Contains(decodedOut[i], `"exception":{`) {
			withException++
		}
	}
	if withException == 0 {
		t.Fatal("no message is covered by an exception: the test checks nothing of the annotation")
	}
	if len(encodedOut) != len(decodedOut) {
		t.Fatalf("%d records encoded, %d decoded", len(encodedOut), len(decodedOut))
	}
	for i := range decodedOut {
		if encodedOut[i] != decodedOut[i] {
			t.Fatalf("record %d differs:\nencoded %s\ndecoded %s", i, encodedOut[i], decodedOut[i])
		}
	}
	// The replay, with the exceptions: what the stream printed.
	encoded = 0
	same("replayed with exceptions, encoded", runWith(false, true, countEncoded), decodedOut)
	if encoded < len(samples)/2 {
		t.Fatalf("only %d of %d replayed messages came encoded", encoded, len(samples))
	}
	same("replayed with exceptions, decoded", runWith(true, true, annotate), decodedOut)
	t.Logf("%d records, %d written encoded, %d with an exception", len(decodedOut), encoded, withException)
}

// TestWriteEncodedLikeWrite writes messages whose strings imitate the
// fields writeEncoded rewrites (a subject holding "reasons":null, quotes
// and backslashes before it) both ways, through a real cache.
func TestWriteEncodedLikeWrite(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "test", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tricky := []string{
		`"reasons":null`, `\"reasons\":null`, `\\"risks":null`, `x\","attachments":null,"y`,
		"\u202e\"attachments\":null", `"attachments":[]`, "",
	}
	var msgs []model.Message
	for i, s := range tricky {
		msgs = append(msgs,
			model.Message{ID: model.MessageID(s), Subject: s, From: s, FromDomain: "example.jp", Date: time.Unix(int64(i), 0)},
			model.Message{ID: "with", Subject: s, To: []string{s},
				Attachments: []model.Attachment{{Filename: s}, {Filename: "b", Risks: []model.Risk{"x"}}},
				Verdict:     model.Verdict{Reasons: []string{s}}})
	}
	for i, m := range msgs {
		key := "k" + strings.Repeat("x", i)
		if err := c.Put(key, m); err != nil {
			t.Fatal(err)
		}
		enc, ok := c.GetEncoded(key)
		if !ok || !enc.IsEncoded() {
			t.Fatalf("message %d: not returned encoded (%v)", i, ok)
		}
		dec, _ := c.Get(key)
		var a, b bytes.Buffer
		wa, wb := newJSONWriter(&a), newJSONWriter(&b)
		if err := wa.Write(enc); err != nil {
			t.Fatal(err)
		}
		if err := wb.Write(dec); err != nil {
			t.Fatal(err)
		}
		wa.Close()
		wb.Close()
		if a.String() != b.String() {
			t.Errorf("message %d:\nencoded %s\ndecoded %s", i, a.String(), b.String())
		}
		if enc.Subject != dec.Subject || enc.HasAttachments() != dec.HasAttachments() {
			t.Errorf("message %d: head %q/%v, want %q/%v", i, enc.Subject, enc.HasAttachments(), dec.Subject, dec.HasAttachments())
		}
	}
}

// TestWriteEncodedKeepsAnException: an exception set on an encoded
// message is printed, as it is for a decoded one.
func TestWriteEncodedKeepsAnException(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "test", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Put("k", model.Message{ID: "a", FromDomain: "example.jp"}); err != nil {
		t.Fatal(err)
	}
	x := &model.ExceptionMatch{ID: 7, Scope: model.ScopeDomain, Value: "example.jp", ApprovedBy: "sato"}
	enc, _ := c.GetEncoded("k")
	dec, _ := c.Get("k")
	enc.Exception, dec.Exception = x, x
	var a, b bytes.Buffer
	wa, wb := newJSONWriter(&a), newJSONWriter(&b)
	wa.Write(enc)
	wb.Write(dec)
	wa.Close()
	wb.Close()
	if a.String() != b.String() || !strings.Contains(a.String(), `"exception":{"id":7`) {
		t.Errorf("encoded %s\ndecoded %s", a.String(), b.String())
	}
}
