package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc"
	"mxaudit/mailsrc/demo"
)

// TestConsoleCheckWiring checks that the console's domain check asks the
// resolver the scan is given (here the demo's zone), and is off when the
// scan may not use DNS.
func TestConsoleCheckWiring(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	src, err := mailsrc.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	uc, err := consoleConfig(src, Config{}, auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone())), false, consoleState{})
	if err != nil {
		t.Fatal(err)
	}
	if uc.Check == nil {
		t.Fatal("the console has no domain check")
	}
	rep, err := uc.Check(t.Context(), "example.co.jp")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.SPF.Record, "v=spf1 ip4:198.51.100.0/26") || rep.DMARC.P != "quarantine" {
		t.Fatalf("the check did not read the demo zone: SPF %q, p=%q", rep.SPF.Record, rep.DMARC.P)
	}

	uc, err = consoleConfig(src, Config{Offline: true}, nil, false, consoleState{})
	if err != nil {
		t.Fatal(err)
	}
	if uc.Check != nil {
		t.Fatal("an offline console checks domains in DNS")
	}
}
