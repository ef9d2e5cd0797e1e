package analysis_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/auth"
	"mxaudit/analysis/ppap"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// BenchmarkAnalyzeBulk analyses a realistic mix (about 30% with
// attachments) without authentication; b.N counts messages.
func BenchmarkAnalyzeBulk(b *testing.B) {
	var samples []demo.Sample
	if err := demo.Bulk(1000, 1, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		b.Fatal(err)
	}
	var bytesTotal int64
	for _, s := range samples {
		bytesTotal += int64(len(s.Raw))
	}
	an := analysis.New(analysis.Config{})
	b.SetBytes(bytesTotal / int64(len(samples)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := samples[i%len(samples)]
		m := an.Analyze(context.Background(), model.MessageID(s.Name), bytes.NewReader(s.Raw))
		if m.Verdict.Attachment == "" {
			b.Fatal("no verdict")
		}
	}
}

// BenchmarkAnalyzeOffline analyses the same mix as a scan with --offline
// does: the offline checker, fed the header section the walk records
// (recorded) or the whole message through a pipe (streamed, as before
// HeaderOnlyChecker, and as a checker that verifies DKIM still is);
// recorded+pairing also keeps and searches the text for PPAP pairing, as
// the default scan does.
func BenchmarkAnalyzeOffline(b *testing.B) {
	var samples []demo.Sample
	if err := demo.Bulk(1000, 1, func(s demo.Sample) error { samples = append(samples, s); return nil }); err != nil {
		b.Fatal(err)
	}
	checker := auth.NewChecker(auth.Config{Offline: true, TrustedHosts: []string{"mx.example.co.jp"}})
	for _, tc := range []struct {
		name    string
		checker analysis.AuthChecker
		pairing bool
	}{{"recorded", checker, false}, {"streamed", streamedChecker{checker}, false}, {"recorded+pairing", checker, true}} {
		b.Run(tc.name, func(b *testing.B) {
			an := analysis.New(analysis.Config{Auth: tc.checker})
			if tc.pairing { // as a scan with PPAP on (the default)
				an = an.WithPairingText(256<<10, ppap.HoldsPassword)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s := samples[i%len(samples)]
				m := an.Analyze(context.Background(), model.MessageID(s.Name), bytes.NewReader(s.Raw))
				if m.Auth == nil {
					b.Fatal("no authentication verdict")
				}
			}
		})
	}
}

// streamedChecker hides a checker's HeaderOnly, so that Analyze streams
// the whole message to it.
type streamedChecker struct{ c *auth.Checker }

func (s streamedChecker) Check(ctx context.Context, raw io.Reader) (*model.Auth, error) {
	return s.c.Check(ctx, raw)
}
