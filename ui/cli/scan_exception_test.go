package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestScanJSONException: "scan --json" writes the active exception
// covering a message (id, scope, value, expiry) and leaves the field out
// for the others, and for an approval the audit log does not confirm.
func TestScanJSONException(t *testing.T) {
	samples := pickSamples(1, func(s demo.Sample) bool {
		return cleanOrEncrypted(s) && s.Want.Attachment == model.AttachmentEncrypted
	})
	samples = append(samples, pickSamples(1, func(s demo.Sample) bool {
		return cleanOrEncrypted(s) && s.Want.Attachment == model.AttachmentClean
	})...)
	ae := newActionTestEnv(t, samples)
	scan := func() map[model.AttachmentVerdict]model.Message {
		// Without PPAP pairing the archive stays unopened: it needs the
		// exception.
		code, out := ae.run("tanaka", "", "scan", "--json", "--offline", "--no-ppap",
			"--config", filepath.Join(ae.vars["XDG_CONFIG_HOME"], "mxaudit", "config.toml"), ae.quar)
		if code != ExitOK {
			t.Fatalf("scan: %d\n%s", code, out)
		}
		got := map[model.AttachmentVerdict]model.Message{}
		for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
			var m model.Message
			if json.Unmarshal([]byte(line), &m) == nil {
				got[m.Verdict.Attachment] = m
			}
		}
		return got
	}
	enc := scan()[model.AttachmentEncrypted]
	if enc.Exception != nil {
		t.Fatalf("exception before any was added: %+v", enc.Exception)
	}
	exception := func(user string, args ...string) {
		t.Helper()
		lookupOSUser = func() string { return user }
		var out bytes.Buffer
		env := Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return ae.vars[k] }}
		if code := runException(context.Background(), args, env); code != ExitOK {
			t.Fatalf("exception %v: %d\n%s", args, code, out.String())
		}
	}
	exception("tanaka", "add", "--domain", enc.FromDomain, "--kind", "encrypted-archive", "--reason", "orders")
	exception("sato", "approve", "1")
	got := scan()
	x := got[model.AttachmentEncrypted].Exception
	if x == nil || x.ID != 1 || x.Scope != model.ScopeDomain || x.Value != enc.FromDomain || x.Expires.IsZero() || !x.Allows() {
		t.Errorf("exception field %+v", x)
	}
	if c := got[model.AttachmentClean].Exception; c != nil {
		t.Errorf("clean message has an exception: %+v", c)
	}
}
