package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestIMAPScanMatchesMaildir loads the demo quarantine into a real Dovecot
// and into a Maildir, scans both, and checks that the verdicts agree:
// exactly with --verify-dkim=always (whole messages, DKIM verified), and
// for attachments, SPF and DMARC with the default on-demand mode, which
// fetches only headers, structure and the attachments that matter.
func TestIMAPScanMatchesMaildir(t *testing.T) {
	srv := dovecottest.Start(t, dovecottest.Options{})
	samples := demo.Samples(demo.Options{})
	raws := make([][]byte, len(samples))
	for i, s := range samples {
		raws[i] = s.Raw
	}
	srv.Append("Quarantine", raws...)
	dir := t.TempDir()
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	t.Setenv(imap.PasswordEnv, dovecottest.Password)

	url := "imaps://" + dovecottest.User + "@" + srv.TLSAddr + "/Quarantine"
	maildir := scanJSON(t, dir, Config{}, "")
	always := scanJSON(t, url, Config{Flags: app.Flags{CAFile: srv.CAFile, VerifyDKIM: app.VerifyAlways}}, url)
	onDemand := scanJSON(t, url, Config{Flags: app.Flags{CAFile: srv.CAFile}}, url)

	if len(always) != len(maildir) || len(onDemand) != len(maildir) {
		t.Fatalf("messages: maildir %d, imap always %d, imap on-demand %d", len(maildir), len(always), len(onDemand))
	}
	for key, want := range maildir {
		if strings.HasPrefix(key, "unparsable") {
			continue
		}
		got := always[key]
		if !reflect.DeepEqual(comparable(got), comparable(want)) {
			t.Errorf("%s: IMAP (always) differs from Maildir:\n imap    %+v\n maildir %+v", key, comparable(got), comparable(want))
		}
		od := onDemand[key]
		if want.Verdict.Attachment == model.AttachmentError {
			// A broken MIME structure reaches the summary as the server
			// parsed it, rebuilt with sound boundaries: only the exact
			// mode sees the breakage as the mail has it.
			continue
		}
		if od.Auth == nil || want.Auth == nil {
			t.Errorf("%s: no authentication result (imap on-demand %v, maildir %v)", key, od.Auth != nil, want.Auth != nil)
			continue
		}
		if od.Verdict.Attachment != want.Verdict.Attachment || od.Auth.SPF.Result != want.Auth.SPF.Result {
			t.Errorf("%s: IMAP (on-demand) attachment %q SPF %q, Maildir %q %q", key,
				od.Verdict.Attachment, od.Auth.SPF.Result, want.Verdict.Attachment, want.Auth.SPF.Result)
		}
		if len(od.Attachments) != len(want.Attachments) {
			t.Errorf("%s: IMAP (on-demand) %d attachments, Maildir %d", key, len(od.Attachments), len(want.Attachments))
		}
	}
}

// comparable strips what legitimately differs between two stores of the
// same message: its ID in the store and, for PPAP links, the IDs.
func comparable(m model.Message) model.Message {
	m.ID = ""
	m.PasswordFor = nil
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil {
			a.PasswordSource = ""
		}
	}
	m.Verdict.Reasons = nil // they name store IDs (password mails)
	return m
}

// scanJSON scans spec with the demo's DNS zone and trusted gateway and
// returns the messages keyed by Message-ID and subject.
func scanJSON(t *testing.T, spec string, cfg Config, _ string) map[string]model.Message {
	t.Helper()
	ctx := context.Background()
	cfg.TrustedHosts = []string{demo.TrustedMTA}
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut}
	a, err := openApp(ctx, spec, cfg, env, auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone())))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := scanTo(ctx, a, formatJSON, env, nil); err != nil {
		t.Fatalf("scan %s: %v (%s)", spec, err, errOut.String())
	}
	msgs := map[string]model.Message{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var m model.Message
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		// Unparsable messages have neither; they are compared by count.
		key := strings.TrimSpace(m.MessageID + " " + m.Subject)
		if key == "" {
			key = fmt.Sprintf("unparsable %d", len(msgs))
		}
		msgs[key] = m
	}
	return msgs
}

// TestIMAPWarmCache scans a Dovecot folder twice: the second scan takes
// every result from the cache (listing only, a fraction of the bytes) and
// a message delivered in between is the only one fetched.
func TestIMAPWarmCache(t *testing.T) {
	srv := dovecottest.Start(t, dovecottest.Options{})
	// Messages without encrypted archives: PPAP pairing re-reads ZIP
	// mails and their candidates on every scan, which is not the cache's
	// business.
	var samples []demo.Sample
	for _, s := range demo.Samples(demo.Options{}) {
		if s.Want.Attachment != model.AttachmentEncrypted {
			samples = append(samples, s)
		}
	}
	if len(samples) < 41 {
		t.Fatalf("only %d demo samples without encrypted archives", len(samples))
	}
	for _, s := range samples[:40] {
		srv.Append("Quarantine", s.Raw)
	}
	t.Setenv(imap.PasswordEnv, dovecottest.Password)
	url := "imaps://" + dovecottest.User + "@" + srv.TLSAddr + "/Quarantine"
	cfg := Config{TrustedHosts: []string{demo.TrustedMTA}, Offline: true, CacheDir: t.TempDir(),
		Flags: app.Flags{CAFile: srv.CAFile}}

	run := func() (map[model.MessageID]model.Message, imap.Stats) {
		t.Helper()
		ctx := context.Background()
		a, err := app.Open(ctx, url, cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		src := a.Source()
		defer a.Close()
		got := map[model.MessageID]model.Message{}
		var errOut bytes.Buffer
		a.SetWarn(func(s string) { errOut.WriteString(s + "\n") })
		err = a.Scan(ctx, func(m model.Message) error {
			got[m.ID] = m
			return nil
		}, nil)
		if err != nil {
			t.Fatalf("%v (%s)", err, errOut.String())
		}
		return got, src.(*imap.Source).Stats()
	}
	cold, coldStats := run()
	warm, warmStats := run()
	if len(cold) != 40 || len(warm) != 40 {
		t.Fatalf("cold %d, warm %d messages, want 40", len(cold), len(warm))
	}
	for id, m := range cold {
		if w := warm[id]; w.Verdict.Attachment != m.Verdict.Attachment || w.Subject != m.Subject {
			t.Errorf("%s: warm %q %q, cold %q %q", id, w.Verdict.Attachment, w.Subject, m.Verdict.Attachment, m.Subject)
		}
	}
	if warmStats.BytesIn*4 > coldStats.BytesIn {
		t.Errorf("warm scan read %d bytes, cold %d: the cache saved too little", warmStats.BytesIn, coldStats.BytesIn)
	}
	t.Logf("cold: %d commands, %d bytes; warm: %d commands, %d bytes", coldStats.Commands, coldStats.BytesIn, warmStats.Commands, warmStats.BytesIn)

	srv.Append("Quarantine", samples[40].Raw)
	more, moreStats := run()
	if len(more) != 41 {
		t.Fatalf("%d messages after a delivery, want 41", len(more))
	}
	if moreStats.PartsFetched+moreStats.PartsElided == 0 || moreStats.BytesIn > warmStats.BytesIn+int64(len(samples[40].Raw))*2+4096 {
		t.Errorf("after one delivery: %+v (warm was %+v)", moreStats, warmStats)
	}
}
