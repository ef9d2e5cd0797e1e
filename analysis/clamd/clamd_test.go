package clamd_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"mxaudit/analysis/clamd"
	"mxaudit/analysis/clamd/clamdtest"
	"mxaudit/model"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		reply   string
		want    model.ScanOutcome
		sig     string
		wantErr string
	}{
		{"stream: OK", model.ScanClean, "", ""},
		{"stream: Eicar-Signature FOUND", model.ScanInfected, "Eicar-Signature", ""},
		{"stream: Win.Trojan.Agent-123 FOUND", model.ScanInfected, "Win.Trojan.Agent-123", ""},
		{"stream:  FOUND", "", "", "FOUND without"},
		{"INSTREAM size limit exceeded. ERROR", "", "", "size limit"},
		{"stream: Can't allocate memory ERROR", "", "", "allocate"},
		{"", "", "", "empty reply"},
		{"UNKNOWN COMMAND", "", "", "UNKNOWN"},
	}
	for _, tt := range tests {
		got, sig, err := clamd.ParseReply(tt.reply)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseReply(%q) error = %v, want one containing %q", tt.reply, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want || sig != tt.sig {
			t.Errorf("ParseReply(%q) = %q, %q, %v; want %q, %q", tt.reply, got, sig, err, tt.want, tt.sig)
		}
	}
}

func TestNewAddresses(t *testing.T) {
	tests := []struct {
		addr, want string
		bad        bool
	}{
		{"/run/clamav/clamd.ctl", "clamd at /run/clamav/clamd.ctl", false},
		{"unix:/tmp/c.sock", "clamd at /tmp/c.sock", false},
		{"127.0.0.1:3310", "clamd at 127.0.0.1:3310", false},
		{"tcp:scanner.internal:3310", "clamd at scanner.internal:3310", false},
		{"", "", true},
		{"clamd", "", true},
	}
	for _, tt := range tests {
		c, err := clamd.New(tt.addr, 0)
		if tt.bad {
			if err == nil {
				t.Errorf("New(%q) accepted", tt.addr)
			}
			continue
		}
		if err != nil || c.String() != tt.want {
			t.Errorf("New(%q) = %v, %v; want %s", tt.addr, c, err, tt.want)
		}
	}
}

// fakeDaemon answers every connection with reply after reading the
// request, or with nothing at all when hang is set.
func fakeDaemon(t *testing.T, reply string, hang bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := conn.Read(buf); err != nil {
					return
				}
				if hang {
					time.Sleep(3 * time.Second)
					return
				}
				_, _ = conn.Write([]byte(reply + "\x00"))
			}()
		}
	}()
	return l.Addr().String()
}

func TestFailuresAreNeverClean(t *testing.T) {
	ctx := context.Background()
	down, _ := net.Listen("tcp", "127.0.0.1:0")
	downAddr := down.Addr().String()
	down.Close()

	tests := []struct {
		name string
		addr string
	}{
		{"nothing listening", downAddr},
		{"no reply in time", fakeDaemon(t, "", true)},
		{"error reply", fakeDaemon(t, "INSTREAM size limit exceeded. ERROR", false)},
		{"garbage reply", fakeDaemon(t, "\x1b[2Jhello", false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := clamd.New(tt.addr, 500*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			res := c.Scan(ctx, strings.NewReader("harmless"))
			if res.Result != model.ScanNotScanned || res.Error == "" || res.Engine != "clamd" {
				t.Errorf("Scan = %+v, want not-scanned with a reason", res)
			}
			if strings.ContainsRune(res.Error, 0x1b) {
				t.Errorf("reply control characters kept in %q", res.Error)
			}
		})
	}
}

// TestRealClamd runs the daemon itself: custom signatures and EICAR are
// found over the unix socket and TCP, other content is clean, and once
// clamd is stopped the result is not-scanned.
func TestRealClamd(t *testing.T) {
	payload := []byte("mxaudit test payload: pretend this is malware\n")
	srv := clamdtest.Start(t, clamdtest.Signature{Name: "MxAudit.Test.Payload", Content: payload})
	ctx := context.Background()

	for _, addr := range []string{srv.Socket, srv.TCP} {
		c, err := clamd.New(addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("%s: Ping: %v", c, err)
		}
		big := bytes.Repeat([]byte("clean bytes "), 100_000) // several chunks
		tests := []struct {
			name    string
			content []byte
			want    model.ScanOutcome
			sig     string
		}{
			{"custom payload", payload, model.ScanInfected, "MxAudit.Test.Payload"},
			{"eicar", clamdtest.EICAR(), model.ScanInfected, clamdtest.EICARName},
			{"clean text", []byte("Dear Mr. Tanaka, please find the quotation attached."), model.ScanClean, ""},
			{"clean multi-chunk", big, model.ScanClean, ""},
			{"empty", nil, model.ScanClean, ""},
		}
		for _, tt := range tests {
			res := c.ScanBytes(ctx, tt.content)
			if res.Result != tt.want || !strings.HasPrefix(res.Signature, tt.sig) {
				t.Errorf("%s: %s: got %+v, want %s %s", c, tt.name, res, tt.want, tt.sig)
			}
		}
	}

	srv.Stop()
	c, _ := clamd.New(srv.Socket, 2*time.Second)
	if res := c.ScanBytes(ctx, clamdtest.EICAR()); res.Result != model.ScanNotScanned {
		t.Errorf("stopped clamd: got %+v, want not-scanned", res)
	}
}
