package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

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

// TestAnnotateWithPastItsMemory: annotateWith gives each encoded message
// the exception a decoded one gets, for the senders it remembers and for
// those past maxSendersNamed, whether an exception names them or not,
// and the same sender seen again gets the same answer.
func TestAnnotateWithPastItsMemory(t *testing.T) {
	now := time.Now()
	policy := model.Policy{Approvers: []string{"sato"}, Exceptions: []model.Exception{{
		ID: 1, Scope: model.ScopeDomain, Value: "partner.example.jp", Reason: "orders",
		Kinds:       []model.ExceptionKind{model.KindEncryptedArchive},
		RequestedBy: "tanaka", Created: now.Add(-time.Hour),
		ApprovedBy: "sato", Approved: now.Add(-time.Hour), Expires: now.Add(time.Hour),
	}}}
	annotate := annotateWith(policy, now)
	encoded := func(from, domain string) model.Message {
		m := model.Message{ID: "x", FromAddr: from, FromDomain: domain,
			Attachments: []model.Attachment{{Filename: "a.zip", Archive: &model.Archive{Format: "zip", Encrypted: true}}},
			Verdict:     model.Verdict{Attachment: model.AttachmentEncrypted}}
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return model.Message{ID: m.ID, FromAddr: from, FromDomain: domain, Encoded: &model.Encoded{JSON: raw, HasFiles: true, MayHaveEncryptedArchive: true}}
	}
	check := func(i int, from, domain string, covered bool) {
		t.Helper()
		got := annotate(encoded(from, domain))
		if (got.Exception != nil) != covered {
			t.Fatalf("message %d from %s: exception %+v, want covered %v", i, from, got.Exception, covered)
		}
	}
	for i := range maxSendersNamed + 50 {
		switch i % 3 {
		case 0:
			check(i, fmt.Sprintf("u%d@partner.example.jp", i), "partner.example.jp", true)
		case 1:
			check(i, fmt.Sprintf("u%d@other.example.jp", i), "other.example.jp", false)
		default:
			check(i, "PPAP@Partner.Example.JP", "Partner.Example.JP", true) // seen again and again
		}
	}
}

// TestSenderMemoOwnsItsKeys: the senders remembered are copies, not the
// message's strings, which for a cached message are cut from its head
// and would keep the whole head alive for the scan.
func TestSenderMemoOwnsItsKeys(t *testing.T) {
	head := `{"from_address":"sato@partner.example.jp","from_domain":"partner.example.jp","subject":"` + strings.Repeat("x", 4096) + `"}`
	start := uintptr(unsafe.Pointer(unsafe.StringData(head)))
	within := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return p >= start && p < start+uintptr(len(head))
	}
	cut := func(v string) string { i := strings.Index(head, v); return head[i : i+len(v)] }
	m := model.Message{FromAddr: cut("sato@partner.example.jp"), FromDomain: cut(`"partner.example.jp"`)[1:19]}
	if m.FromAddr != "sato@partner.example.jp" || m.FromDomain != "partner.example.jp" {
		t.Fatalf("cut %q, %q", m.FromAddr, m.FromDomain)
	}
	memo := newSenderMemo(nil)
	memo.named(&m)
	for key := range memo.seen {
		if within(key[0]) || within(key[1]) {
			t.Fatalf("the memo keeps %q, cut from the head", key)
		}
	}
}
