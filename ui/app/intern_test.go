package app

import (
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"mxaudit/analysis/auth"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestTableKeepsAnalysedMessagesEqual runs the demo's curated messages
// and a bulk quarantine through the real analysis, online against the
// demo's zone and offline from trusted headers, and checks that the row
// a table keeps of each message — with its repeated strings shared — is
// equal, field by field, to the plain row of the message the scan
// emitted.
func TestTableKeepsAnalysedMessagesEqual(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q")
	samples := demo.Samples(demo.Options{})
	if err := demo.Bulk(600, 1, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		opts Options
	}{
		{"online", Config{TrustedHosts: []string{demo.TrustedMTA}, Flags: Flags{NoCache: true}},
			Options{Resolver: auth.NewCachingResolver(auth.NewZoneResolver(demo.Zone()))}},
		{"offline", Config{Offline: true, Flags: Flags{NoCache: true}}, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Open(t.Context(), dir, tt.cfg, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			var scanned []model.Message
			tab := model.NewTable()
			if err := a.Scan(t.Context(), func(m model.Message) error {
				scanned = append(scanned, m)
				// One message at a time, as the console's
				// batches deliver them.
				tab.Append(m)
				return nil
			}, nil); err != nil {
				t.Fatal(err)
			}
			if len(scanned) != len(samples) {
				t.Fatalf("scanned %d messages, want %d", len(scanned), len(samples))
			}
			// The comparison proves something only for fields the
			// quarantine sets: a table dropping one would then differ.
			seen := map[string]bool{}
			for _, m := range scanned {
				seen["reasons"] = seen["reasons"] || len(m.Verdict.Reasons) > 0
				seen["dkim"] = seen["dkim"] || m.Auth != nil && len(m.Auth.DKIM) > 0
				seen["dmarc reason"] = seen["dmarc reason"] || m.Auth != nil && m.Auth.DMARC.Reason != ""
				seen["archive"] = seen["archive"] || len(m.Attachments) > 0 && m.Attachments[0].Archive != nil
				seen["return path"] = seen["return path"] || m.ReturnPath != "" && m.ReturnPath == m.FromAddr
			}
			if len(seen) != 5 || slices.Contains(slices.Collect(maps.Values(seen)), false) {
				t.Errorf("the quarantine does not exercise every interned field: %v", seen)
			}
			for _, want := range scanned {
				if got := tab.RowByID(want.ID); got == nil || !reflect.DeepEqual(*got, model.NewRow(&want)) {
					t.Errorf("table's row of %s differs from the scanned message's", want.ID)
				}
			}
		})
	}
}
