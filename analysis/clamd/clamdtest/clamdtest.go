// Package clamdtest runs a real clamd for tests: its own configuration,
// socket and signature database in a temporary directory, with no network
// and no official signatures. Tests name the content that must be found
// with custom MD5 (.hdb) signatures; EICAR is one of them, its test string
// assembled at run time so that the repository never holds it (a scanner
// would flag the repository itself).
//
// When clamd is not installed the test is skipped with a message saying
// how to install it.
package clamdtest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Signature is one custom detection: content that clamd must report as
// infected under Name.
type Signature struct {
	Name    string
	Content []byte
}

// EICARName is the signature name Start gives the EICAR test file.
const EICARName = "MxAudit.Test.EICAR"

// EICAR returns the 68-byte EICAR anti-virus test file. It is built from
// pieces so that the literal string appears in no source file.
func EICAR() []byte {
	parts := []string{
		`X5O!P%@AP[4\PZX54(P^)7CC)7}`,
		"$EICAR-STANDARD-",
		"ANTIVIRUS-TEST-",
		"FILE!$H+H*",
	}
	return []byte(strings.Join(parts, ""))
}

// Server is a running clamd.
type Server struct {
	// Socket is the path of its unix socket: what clamd_socket names.
	Socket string
	// TCP is its loopback "host:port" listener.
	TCP string

	cmd     *exec.Cmd
	done    chan struct{}
	stopped sync.Once
	logPath string
}

// Binary returns the path of clamd, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("clamd"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/clamd", "/usr/local/sbin/clamd"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// Start runs clamd with the EICAR signature and sigs, waits until it
// answers PING, and stops it when the test ends. It skips the test when
// clamd is not installed and fails it when clamd does not come up.
func Start(t testing.TB, sigs ...Signature) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("SKIP: clamd is not installed (apt-get install -y clamav-daemon); the real-clamd tests did not run")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o755); err != nil {
		t.Fatal(err)
	}
	all := append([]Signature{{Name: EICARName, Content: EICAR()}}, sigs...)
	if err := os.WriteFile(filepath.Join(db, "mxaudit.hdb"), []byte(hdb(all)), 0o644); err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		Socket:  filepath.Join(dir, "clamd.sock"),
		TCP:     fmt.Sprintf("127.0.0.1:%d", port),
		done:    make(chan struct{}),
		logPath: filepath.Join(dir, "clamd.log"),
	}
	conf := filepath.Join(dir, "clamd.conf")
	if err := os.WriteFile(conf, []byte(config(s, db, dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(bin, "--foreground", "--config-file="+conf)
	s.cmd.Stdout, s.cmd.Stderr = nil, nil
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting clamd: %v", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.Stop)
	if err := s.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(s.logPath)
		t.Fatalf("clamd did not come up: %v\nclamd log:\n%s", err, log)
	}
	return s
}

// hdb renders signatures as ClamAV MD5 hash signatures: "md5:size:name".
func hdb(sigs []Signature) string {
	var b strings.Builder
	for _, s := range sigs {
		sum := md5.Sum(s.Content)
		fmt.Fprintf(&b, "%s:%d:%s\n", hex.EncodeToString(sum[:]), len(s.Content), s.Name)
	}
	return b.String()
}

// config is a minimal clamd.conf: its own socket, database and log, in
// the foreground, running as the current user (root is allowed with
// "User root"; clamd otherwise drops to the clamav user, which cannot read
// a root-owned temporary directory).
func config(s *Server, db, dir string) string {
	lines := []string{
		"LocalSocket " + s.Socket,
		"LocalSocketMode 600",
		"FixStaleSocket yes",
		"TCPSocket " + s.TCP[strings.LastIndexByte(s.TCP, ':')+1:],
		"TCPAddr 127.0.0.1",
		"DatabaseDirectory " + db,
		"TemporaryDirectory " + dir,
		"LogFile " + s.logPath,
		"Foreground yes",
		"SelfCheck 0",
		"MaxThreads 4",
		"StreamMaxLength 25M",
		"CommandReadTimeout 10",
		"ReadTimeout 30",
		"Bytecode no",
	}
	if os.Geteuid() == 0 {
		lines = append(lines, "User root")
	}
	return strings.Join(lines, "\n") + "\n"
}

// waitReady polls the socket with PING until PONG or the timeout.
func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("clamd exited: %v", s.cmd.ProcessState)
		default:
		}
		if last = ping(s.Socket); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

func ping(socket string) error {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return err
	}
	buf := make([]byte, 16)
	n, err := conn.Read(buf)
	if err != nil {
		return err
	}
	if got := strings.TrimRight(string(buf[:n]), "\x00\n"); got != "PONG" {
		return fmt.Errorf("PING answered %q", got)
	}
	return nil
}

// Stop ends clamd (and waits for it); later scans find it down. It is
// safe to call more than once.
func (s *Server) Stop() {
	s.stopped.Do(func() {
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Signal(os.Interrupt)
		}
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// freePort asks the kernel for an unused loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Ready reports whether the server still answers PING; for tests that
// stop it and check that it is gone.
func (s *Server) Ready(ctx context.Context) bool {
	return ctx.Err() == nil && ping(s.Socket) == nil
}
