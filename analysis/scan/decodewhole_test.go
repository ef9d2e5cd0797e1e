package scan_test

import (
	"context"
	"reflect"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/ppap"
	"mxaudit/analysis/scan"
	"mxaudit/model"
)

// TestDecodeWholeDecodesInTheWorkers: on a warm scan that emits cached
// results encoded (Options.Encoded), the results DecodeWhole names come
// decoded whole, equal to the cache's full decoding of them, and the
// others stay encoded. The demo quarantine holds ZIP mails with
// encrypted archives (ppap.ReadsWhole) and mails without.
func TestDecodeWholeDecodesInTheWorkers(t *testing.T) {
	_, _, src, openCache := demoMaildir(t)
	an := analysis.New(analysis.Config{})
	c := openCache()
	defer c.Close()
	scanAll(t, src, an, c) // fills the cache

	run := func(decode func(*model.Encoded) bool) map[model.MessageID]model.Message {
		out := map[model.MessageID]model.Message{}
		opt := scan.Options{Cache: c, Encoded: true, DecodeWhole: decode}
		if err := scan.Run(context.Background(), src, an, opt, func(m model.Message) error {
			out[m.ID] = m
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	asIs := run(nil)
	decoded := run(ppap.ReadsWhole)
	if len(decoded) != len(asIs) || len(asIs) == 0 {
		t.Fatalf("%d messages with DecodeWhole, %d without", len(decoded), len(asIs))
	}
	whole, kept := 0, 0
	for id, m := range asIs {
		d := decoded[id]
		if !ppap.ReadsWhole(m.Encoded) {
			if !reflect.DeepEqual(d, m) {
				t.Errorf("%s: not named by DecodeWhole, yet changed", id)
			}
			if m.IsEncoded() {
				kept++
			}
			continue
		}
		whole++
		if d.IsEncoded() {
			t.Errorf("%s: may hold an encrypted archive, still encoded", id)
			continue
		}
		want := m
		if err := want.Materialize(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, want) {
			t.Errorf("%s: decoded in the worker as\n%+v\nwant\n%+v", id, d, want)
		}
	}
	if whole == 0 || kept == 0 {
		t.Fatalf("%d results decoded whole and %d left encoded: the demo should give both", whole, kept)
	}
	t.Logf("%d decoded whole by the workers, %d left encoded", whole, kept)
}
