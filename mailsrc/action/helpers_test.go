package action

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/action/smtptest"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
	"mxaudit/model/store"
)

// The tests' relay: a real SMTP server on loopback (smtptest).
type smtpSink = smtptest.Sink

func newSMTPSink(t testing.TB) *smtpSink { return smtptest.Start(t) }

// fixture is a quarantine with its policy file, audit log and analysed
// messages.
type fixture struct {
	t          testing.TB
	dir        string
	src        mailsrc.Source
	policyPath string
	auditPath  string
	msgs       map[model.MessageID]*model.Message
	ids        []model.MessageID
}

// approvers of every fixture's policy.
var approvers = []string{"sato", "suzuki"}

// newFixture writes samples into a quarantine of the given format
// ("maildir" or "gzip") and analyses them.
func newFixture(t testing.TB, format demo.Format, samples []demo.Sample) *fixture {
	t.Helper()
	base := t.TempDir()
	f := &fixture{t: t, dir: filepath.Join(base, "quarantine"),
		policyPath: filepath.Join(base, "policy.toml"), auditPath: filepath.Join(base, "audit.jsonl"),
		msgs: map[model.MessageID]*model.Message{}}
	var err error
	switch format {
	case demo.FormatMaildir:
		err = demo.WriteMaildir(f.dir, samples)
	case demo.FormatGzip:
		err = demo.WriteGzipDir(f.dir, samples)
	case demo.FormatEML:
		err = demo.WriteEML(f.dir, samples)
	default:
		t.Fatalf("format %s", format)
	}
	if err != nil {
		t.Fatal(err)
	}
	f.src = f.open()
	t.Cleanup(func() { f.src.Close() })
	f.analyse()
	return f
}

// open opens the quarantine afresh, as a second operator's mxaudit does.
func (f *fixture) open() mailsrc.Source {
	src, err := mailsrc.Open(f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	return src
}

func (f *fixture) analyse() {
	ctx := context.Background()
	a := analysis.New(analysis.Config{})
	err := f.src.List(ctx, func(e mailsrc.Entry) error {
		if e.Err != nil {
			return nil
		}
		rc, err := f.src.Open(ctx, e.ID)
		if err != nil {
			return err
		}
		m := a.Analyze(ctx, e.ID, rc)
		rc.Close()
		f.msgs[e.ID] = &m
		f.ids = append(f.ids, e.ID)
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// service returns a Service for user on src (the fixture's own source when
// nil) delivering to relay.
func (f *fixture) service(src mailsrc.Source, user, relay string) *Service {
	f.t.Helper()
	if src == nil {
		src = f.src
	}
	audit, err := store.OpenAuditLog(f.auditPath)
	if err != nil {
		f.t.Fatal(err)
	}
	s, err := New(Config{
		Source:      src,
		SourceName:  f.dir,
		Policy:      store.NewPolicyStore(f.policyPath, f.auditPath, approvers),
		Audit:       audit,
		Operator:    model.Operator{User: user},
		Relay:       relay,
		HomeDomains: []string{"sakura-shoji.example"},
		HeloName:    "mxaudit.test",
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// messages returns the analysed messages of ids.
func (f *fixture) messages(ids ...model.MessageID) []*model.Message {
	out := make([]*model.Message, len(ids))
	for i, id := range ids {
		if out[i] = f.msgs[id]; out[i] == nil {
			f.t.Fatalf("no message %s", id)
		}
	}
	return out
}

// raw reads a message's bytes through a fresh source.
func (f *fixture) raw(id model.MessageID) []byte {
	f.t.Helper()
	src := f.open()
	defer src.Close()
	rc, err := src.Open(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// present reports whether the quarantine still lists id.
func (f *fixture) present(id model.MessageID) bool {
	src := f.open()
	defer src.Close()
	rc, err := src.Open(context.Background(), id)
	if errors.Is(err, mailsrc.ErrNotFound) {
		return false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	rc.Close()
	return true
}

// audit returns the audit log's records, after checking its chain.
// audit returns the audit log's outcome records (the intent records
// written before each action left out: auditAll has them).
func (f *fixture) audit() []model.AuditEntry {
	f.t.Helper()
	var out []model.AuditEntry
	for _, e := range f.auditAll() {
		if e.Outcome != model.OutcomeStarted {
			out = append(out, e)
		}
	}
	return out
}

// auditAll returns every record of the audit log, which must verify.
func (f *fixture) auditAll() []model.AuditEntry {
	f.t.Helper()
	rep, err := store.VerifyAuditLog(f.auditPath)
	if err != nil || !rep.OK() {
		f.t.Fatalf("audit log: %v %+v", err, rep)
	}
	entries, err := store.ReadAuditLog(f.auditPath)
	if err != nil {
		f.t.Fatal(err)
	}
	return entries
}

// addException adds and approves an exception for the sender domain of m.
func (f *fixture) addException(m *model.Message, kinds ...model.ExceptionKind) int {
	f.t.Helper()
	now := time.Now()
	ps := store.NewPolicyStore(f.policyPath, f.auditPath, approvers)
	var id int
	add := model.NewAuditEntry(model.ActionExceptionAdd, model.Operator{User: "tanaka"}, now)
	_, err := store.ChangePolicy(ps, f.auditPath, &add, func(p *model.Policy) error {
		e, err := p.Add(model.ExceptionRequest{Scope: model.ScopeDomain, Value: m.FromDomain, Kinds: kinds, Reason: "test"},
			model.Operator{User: "tanaka"}, now)
		id, add.ExceptionID = e.ID, e.ID
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	approve := model.NewAuditEntry(model.ActionExceptionApprove, model.Operator{User: "sato"}, now)
	approve.ExceptionID = id
	if _, err := store.ChangePolicy(ps, f.auditPath, &approve, func(p *model.Policy) error {
		_, err := p.Approve(id, model.Operator{User: "sato"}, now)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// pick returns the first n curated samples for which keep is true.
func pick(n int, keep func(demo.Sample) bool) []demo.Sample {
	var out []demo.Sample
	for _, s := range demo.Samples(demo.Options{}) {
		if len(out) < n && keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// clean is a well-formed sample no rule holds.
func clean(s demo.Sample) bool {
	return s.Want.Attachment == model.AttachmentClean && !s.Want.Malformed && s.Want.FromCount == 1
}

// encrypted is a well-formed sample with an encrypted archive and nothing
// else risky.
func encrypted(s demo.Sample) bool {
	return s.Want.Attachment == model.AttachmentEncrypted && !s.Want.Malformed && s.Want.FromCount == 1 && len(s.Want.Risks) == 0
}

// header returns the first value of a header field in raw.
func header(raw []byte, name string) string {
	for line := range bytes.SplitSeq(raw, []byte("\r\n")) {
		if len(line) == 0 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(k), name) {
			return strings.TrimSpace(string(v))
		}
	}
	return ""
}

// writeFile writes a file, creating its folder.
func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}
