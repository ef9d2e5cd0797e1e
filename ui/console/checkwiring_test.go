package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/ui/app"
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
	uc := ConfigFor(app.NewWorkspace(demoApp(t, t.Context(), dir, app.Config{}, app.Options{}), nil, nil))
	if uc.Checker == nil {
		t.Fatal("the console has no domain check")
	}
	rep, err := uc.Checker.CheckDomain(t.Context(), "example.co.jp")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.SPF.Record, "v=spf1 ip4:198.51.100.0/26") || rep.DMARC.P != "quarantine" {
		t.Fatalf("the check did not read the demo zone: SPF %q, p=%q", rep.SPF.Record, rep.DMARC.P)
	}

	offline, err := app.Open(t.Context(), dir, app.Config{Offline: true}, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer offline.Close()
	if uc := ConfigFor(app.NewWorkspace(offline, nil, nil)); uc.Checker != nil {
		t.Fatal("an offline console checks domains in DNS")
	}
}
