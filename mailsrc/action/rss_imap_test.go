package action

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"mxaudit/mailsrc"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
	"mxaudit/model/store"
)

// rssIMAPEnv runs the IMAP release memory measurement, by hand:
//
//	go test -c -o /tmp/action.test ./mailsrc/action
//	MXAUDIT_RSS_IMAP=1 /tmp/action.test -test.run TestReleaseRSSIMAP -test.v
//
// A real Dovecot holds one 256 MiB message, written straight into its
// Maildir (so that this process never holds it); the release fetches it,
// moves it to the release mailbox and delivers it into a Maildir, and the
// test prints this process's peak RSS, which must stay far below the
// message's size (the Dovecot processes are not counted).
const rssIMAPEnv = "MXAUDIT_RSS_IMAP"

func TestReleaseRSSIMAP(t *testing.T) {
	if os.Getenv(rssIMAPEnv) == "" {
		t.Skip("SKIP: set " + rssIMAPEnv + "=1 to measure the memory of releasing a 256 MiB IMAP message (run by hand)")
	}
	d := dovecottest.Start(t, dovecottest.Options{})
	folder := filepath.Join(d.Dir, "home", dovecottest.User, "Maildir", ".Quarantine", "new")
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(folder, "1764838800.M1P1.rss")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeBigRaw(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, folder} {
		os.Chown(p, 65534, 65534) // the mail processes run as nobody
	}

	t.Setenv(imap.PasswordEnv, dovecottest.Password)
	ctx := context.Background()
	src, err := imap.Open(ctx, imap.Config{URL: "imaps://" + dovecottest.User + "@" + d.TLSAddr + "/Quarantine",
		CAFile: d.CAFile, ReleaseMailbox: "Released", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var id model.MessageID
	if err := src.List(ctx, func(e mailsrc.Entry) error { id = e.ID; return nil }); err != nil || id == "" {
		t.Fatalf("list: %q, %v", id, err)
	}
	dir := t.TempDir()
	audit, err := store.OpenAuditLog(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Source: src, SourceName: "imap", Policy: store.NewPolicyStore(filepath.Join(dir, "policy.toml"), audit.Path(), nil),
		Audit: audit, Operator: model.Operator{User: "tanaka"}, ReleaseMailbox: "Released", DeliverMaildir: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	releaseMeasured(ctx, t, s, id, "IMAP release")
	delivered, _ := filepath.Glob(filepath.Join(dir, "out", "new", "*"))
	if len(delivered) != 1 {
		t.Fatalf("%d messages delivered", len(delivered))
	}
	if info, err := os.Stat(delivered[0]); err != nil || info.Size() < rssMessageBytes-100 {
		t.Errorf("delivered %v, %v: not the whole message", info, err)
	}
}
