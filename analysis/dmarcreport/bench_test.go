package dmarcreport

import (
	"fmt"
	"testing"
)

// BenchmarkParseXML parses a 500-record report.
func BenchmarkParseXML(b *testing.B) {
	var recs []string
	for j := range 500 {
		recs = append(recs, fmt.Sprintf("198.51.100.%d,%d,pass,fail,example.com", j%256, j))
	}
	data := report("bench.example", "1", "example.com", recs...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseXML(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
