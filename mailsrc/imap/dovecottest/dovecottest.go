// Package dovecottest runs a real, throw-away Dovecot IMAP server for
// integration tests: its own configuration, Maildir, self-signed
// certificate and random loopback ports under the test's temporary
// directory. It needs root (Dovecot drops privileges to the dovecot and
// dovenull users) and the dovecot-imapd package; without them the test is
// skipped with a loud message.
package dovecottest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Binary is where Debian's dovecot-core installs the server.
const Binary = "/usr/sbin/dovecot"

// The one mail account of a test server.
const (
	User     = "quarantine"
	Password = "dovecot-test-pw"
)

// mailUID is the uid the mail processes run as (nobody): Dovecot refuses
// root for them.
const mailUID, mailGID = 65534, 65534

// Options change the server's advertised capabilities.
type Options struct {
	// NoMove removes MOVE from the capabilities, to exercise the COPY +
	// UID EXPUNGE fallback.
	NoMove bool
	// NoIdle removes IDLE, to exercise NOOP polling.
	NoIdle bool
}

// Server is a running Dovecot.
type Server struct {
	// Addr is the plain IMAP listener (STARTTLS offered; clear-text login
	// allowed for --insecure-plaintext tests), TLSAddr the imaps one.
	Addr, TLSAddr string
	// CAFile is the PEM certificate the server presents; it is its own CA.
	CAFile string
	// Dir is the server's temporary directory; LogFile its log.
	Dir, LogFile string

	t    testing.TB
	conf string
	cmd  *exec.Cmd
}

// baseCaps is Dovecot 2.3's post-login capability list.
const baseCaps = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"

// Start runs a fresh Dovecot with the mailboxes Quarantine, Released and
// Trash, and stops it when the test ends. It skips the test when Dovecot
// is not installed or the test does not run as root.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Skip("SKIP: dovecot not installed; apt-get install dovecot-imapd")
	}
	if os.Geteuid() != 0 {
		t.Skip("SKIP: the Dovecot tests must run as root (dovecot drops to the dovecot and dovenull users)")
	}
	dir := t.TempDir()
	// The mail processes run as nobody and must reach the Maildir.
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	s := &Server{t: t, Dir: dir, LogFile: filepath.Join(dir, "dovecot.log"), conf: filepath.Join(dir, "dovecot.conf")}
	cert, key, err := SelfSigned(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.CAFile = cert
	home := filepath.Join(dir, "home")
	for _, d := range []string{filepath.Join(dir, "run"), filepath.Join(dir, "state"), home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chown(home, mailUID, mailGID)
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(User+":{PLAIN}"+Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addrs := freeAddrs(t, 2)
	s.Addr, s.TLSAddr = addrs[0], addrs[1]
	caps := baseCaps
	if opts.NoMove {
		caps = strings.Replace(caps, " MOVE", "", 1)
	}
	if opts.NoIdle {
		caps = strings.Replace(caps, " IDLE", "", 1)
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	_, tlsPort, _ := net.SplitHostPort(s.TLSAddr)
	conf := fmt.Sprintf(`# throw-away configuration written by mxaudit's dovecottest
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[2]s
ssl_key = <%[3]s
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[7]d gid=%[8]d home=%[4]s/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]s
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[6]s
    ssl = yes
  }
}
protocol imap {
  imap_capability = %[9]s
}
`, dir, cert, key, home, port, tlsPort, mailUID, mailGID, caps)
	if err := os.WriteFile(s.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s.start()
	t.Cleanup(s.Stop)
	c := s.Client()
	for _, mb := range []string{"Quarantine", "Released", "Trash"} {
		if err := c.Create(mb, nil).Wait(); err != nil {
			t.Fatalf("dovecottest: CREATE %s: %v", mb, err)
		}
	}
	c.Logout().Wait()
	c.Close()
	return s
}

// freeAddrs picks n distinct free loopback ports. Every listener stays
// open until all are picked: picked one at a time, the kernel may hand
// out the same port twice, and Dovecot then refuses a duplicate listener.
func freeAddrs(t testing.TB, n int) []string {
	addrs := make([]string, n)
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addrs[i] = ln.Addr().String()
	}
	return addrs
}

func (s *Server) start() {
	s.t.Helper()
	cmd := exec.Command(Binary, "-F", "-c", s.conf)
	// A file, not a pipe: with a pipe, Wait would also wait for every
	// child process holding it, long after the master has gone.
	out, err := os.OpenFile(filepath.Join(s.Dir, "dovecot.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("dovecottest: starting dovecot: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.LogFile)
			early, _ := os.ReadFile(out.Name())
			s.Stop()
			s.t.Fatalf("dovecottest: dovecot did not listen on %s: %v\n%s\n%s", s.Addr, err, early, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts Dovecot down, client connections included, and waits for it
// to exit.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	// The whole process group, as systemd stops a service: the imap
	// processes serving clients go too, so every connection drops.
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
	syscall.Kill(-pgid, syscall.SIGKILL) // stragglers
	s.cmd = nil
}

// Restart stops Dovecot and starts it again on the same ports and mail:
// every client connection drops, as in a server upgrade.
func (s *Server) Restart() {
	s.t.Helper()
	t0 := time.Now()
	s.Stop()
	t1 := time.Now()
	s.start()
	s.t.Logf("dovecottest: restarted (stop %v, start %v)", t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
}

// Client returns a logged-in client on the clear-text port, for loading
// and inspecting mail beside the code under test.
func (s *Server) Client() *imapclient.Client {
	s.t.Helper()
	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		s.t.Fatalf("dovecottest: %v", err)
	}
	if err := c.Login(User, Password).Wait(); err != nil {
		c.Close()
		s.t.Fatalf("dovecottest: login: %v", err)
	}
	return c
}

// Append stores messages in mailbox with one pipelined APPEND each
// (Dovecot offers LITERAL+, so nothing waits in between).
func (s *Server) Append(mailbox string, msgs ...[]byte) {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	cmds := make([]*imapclient.AppendCommand, 0, len(msgs))
	for _, raw := range msgs {
		cmd := c.Append(mailbox, int64(len(raw)), &goimap.AppendOptions{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		cmd.Write(raw)
		if err := cmd.Close(); err != nil {
			s.t.Fatalf("dovecottest: APPEND: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if _, err := cmd.Wait(); err != nil {
			s.t.Fatalf("dovecottest: APPEND: %v", err)
		}
	}
	c.Logout().Wait()
}

// Flags returns the flags of every message of mailbox, by UID, read with
// EXAMINE so that looking changes nothing.
func (s *Server) Flags(mailbox string) map[goimap.UID][]goimap.Flag {
	s.t.Helper()
	c := s.Client()
	defer c.Close()
	if _, err := c.Select(mailbox, &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		s.t.Fatalf("dovecottest: EXAMINE %s: %v", mailbox, err)
	}
	msgs, err := c.Fetch(goimap.UIDSet{{Start: 1, Stop: 0}}, &goimap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		s.t.Fatalf("dovecottest: FETCH: %v", err)
	}
	out := map[goimap.UID][]goimap.Flag{}
	for _, m := range msgs {
		out[m.UID] = m.Flags
	}
	return out
}
