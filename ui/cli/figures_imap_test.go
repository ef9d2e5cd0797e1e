package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxaudit/mailsrc/demo"
	"mxaudit/mailsrc/imap"
	"mxaudit/mailsrc/imap/dovecottest"
	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestFiguresIMAP measures the scan of a Dovecot folder for the issue
// notes: cold (empty cache) and warm, IMAP commands and bytes, against the
// protocol floor of one UID FETCH of the listing items over one
// connection. It runs only with MXAUDIT_FIGURES=1 (MXAUDIT_FIGURES_N
// messages of the realistic bulk mix, default 20,000).
func TestFiguresIMAP(t *testing.T) {
	if os.Getenv("MXAUDIT_FIGURES") != "1" {
		t.Skip("figures only with MXAUDIT_FIGURES=1")
	}
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("MXAUDIT_FIGURES_N")); err == nil && v > 0 {
		n = v
	}
	srv := dovecottest.Start(t, dovecottest.Options{})
	start := time.Now()
	var batch [][]byte
	var total int64
	err := demo.Bulk(n, 1, func(s demo.Sample) error {
		batch = append(batch, s.Raw)
		total += int64(len(s.Raw))
		if len(batch) == 500 {
			srv.Append("Quarantine", batch...)
			batch = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) > 0 {
		srv.Append("Quarantine", batch...)
	}
	t.Logf("loaded %d messages (%.1f MB) in %v", n, float64(total)/1e6, time.Since(start).Round(time.Second))

	t.Setenv(imap.PasswordEnv, dovecottest.Password)
	url := "imaps://" + dovecottest.User + "@" + srv.TLSAddr + "/Quarantine"
	cfg := Config{TrustedHosts: []string{demo.TrustedMTA}, Offline: true, CacheDir: t.TempDir(),
		Flags: app.Flags{CAFile: srv.CAFile}}
	scanOnce := func(label string) {
		ctx := context.Background()
		t0 := time.Now()
		a, err := app.Open(ctx, url, cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		src := a.Source()
		count := 0
		err = a.Scan(ctx, func(model.Message) error { count++; return nil }, nil)
		st := src.(*imap.Source).Stats()
		a.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d messages in %v; %d IMAP commands, %.1f MB in, %d parts fetched, %d elided",
			label, count, time.Since(t0).Round(time.Millisecond), st.Commands, float64(st.BytesIn)/1e6, st.PartsFetched, st.PartsElided)
	}
	floor, bytes := fetchFloor(t, srv)
	t.Logf("floor: one UID FETCH 1:* (ENVELOPE BODYSTRUCTURE RFC822.SIZE BODY.PEEK[HEADER]) over one TLS connection: %v, %.1f MB",
		floor.Round(time.Millisecond), float64(bytes)/1e6)
	scanOnce("cold scan (empty cache)")
	scanOnce("warm scan")
	// The listing and analysis alone: PPAP pairing reads each ZIP mail and
	// its candidate password mails whole, one command each.
	cfg.NoPPAP = true
	cfg.CacheDir = t.TempDir()
	scanOnce("cold scan without PPAP")
	scanOnce("warm scan without PPAP")
}

// fetchFloor sends the listing's data items as one raw UID FETCH and reads
// the answer to its end: the least any client can do for the same data.
func fetchFloor(t *testing.T, srv *dovecottest.Server) (time.Duration, int64) {
	pem, err := os.ReadFile(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	t0 := time.Now()
	conn, err := tls.Dial("tcp", srv.TLSAddr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		conn, err = tls.Dial("tcp", srv.TLSAddr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
	}
	defer conn.Close()
	r := bufio.NewReaderSize(conn, 1<<20)
	var n int64
	cmd := func(tag, line string) {
		fmt.Fprintf(conn, "%s %s\r\n", tag, line)
		for {
			l, err := r.ReadString('\n')
			n += int64(len(l))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			// Skip literals by their announced length.
			if i := strings.LastIndex(l, "{"); i >= 0 && strings.HasSuffix(l, "}\r\n") {
				if size, err := strconv.Atoi(l[i+1 : len(l)-3]); err == nil {
					m, _ := io.CopyN(io.Discard, r, int64(size))
					n += m
					continue
				}
			}
			if strings.HasPrefix(l, tag+" ") {
				if !strings.HasPrefix(l, tag+" OK") {
					t.Fatalf("%s: %s", line, l)
				}
				return
			}
		}
	}
	r.ReadString('\n') // greeting
	cmd("a1", "LOGIN "+dovecottest.User+" "+dovecottest.Password)
	cmd("a2", "EXAMINE Quarantine")
	n = 0
	cmd("a3", "UID FETCH 1:* (ENVELOPE BODYSTRUCTURE RFC822.SIZE BODY.PEEK[HEADER])")
	return time.Since(t0), n
}
