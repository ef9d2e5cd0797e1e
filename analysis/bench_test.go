package analysis_test

import (
	"bytes"
	"context"
	"testing"

	"mxaudit/analysis"
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
