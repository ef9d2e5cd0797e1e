package app

import (
	"path/filepath"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestVerifyCarriesPairingOfTheSameBytes: the verify key re-analyses a
// message alone, so the PPAP pairing the scan found is carried over — but
// only onto the very bytes the scan read.
func TestVerifyCarriesPairingOfTheSameBytes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q")
	if err := demo.WriteMaildir(dir, demo.Samples(demo.Options{})); err != nil {
		t.Fatal(err)
	}
	a, err := Open(t.Context(), dir, Config{TrustedHosts: []string{demo.TrustedMTA}},
		Options{Resolver: auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var paired *model.Message
	if err := a.Scan(t.Context(), func(m model.Message) error {
		for _, at := range m.Attachments {
			if paired == nil && at.Archive != nil && at.Archive.Decrypted {
				paired = &m
			}
		}
		return nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if paired == nil {
		t.Fatal("the demo has no paired ZIP mail")
	}
	decrypted := func(m model.Message) bool {
		for _, at := range m.Attachments {
			if at.Archive != nil && at.Archive.Decrypted {
				return true
			}
		}
		return false
	}
	same, err := a.Verify(t.Context(), *paired)
	if err != nil {
		t.Fatal(err)
	}
	if !decrypted(same) {
		t.Error("the pairing of the same bytes was not carried over")
	}
	other := *paired
	other.SHA256 = "0000000000000000000000000000000000000000000000000000000000000000"
	changed, err := a.Verify(t.Context(), other)
	if err != nil {
		t.Fatal(err)
	}
	if decrypted(changed) {
		t.Error("a pairing was carried over onto other bytes")
	}
}
