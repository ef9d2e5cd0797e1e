package dmarcreport

import (
	"testing"
)

// FuzzDecodeAny feeds arbitrary bytes to the whole reading path (sniffing,
// gzip, ZIP, mail, XML): it must return, without panicking, with either
// reports or an error, within the limits.
func FuzzDecodeAny(f *testing.F) {
	good := report("f.example", "1", "example.com", "192.0.2.1,2,pass,fail,example.com")
	f.Add(good)
	f.Add(gz(f, good))
	f.Add(zipped(f, "r.xml", good))
	f.Add([]byte("<feedback><record><row><count>1</count></row></record></feedback>"))
	f.Add([]byte("Subject: x\r\nContent-Type: application/gzip\r\n\r\n"))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><feedback><report_metadata><org_name>\xe9</org_name></report_metadata></feedback>"))
	lim := Limits{MaxBytes: 1 << 20, MaxRecords: 1000}
	f.Fuzz(func(t *testing.T, data []byte) {
		reps, err := DecodeAny(data, lim)
		if err == nil && len(reps) == 0 {
			t.Fatal("no report and no error")
		}
		for _, r := range reps {
			if len(r.Records) > lim.MaxRecords {
				t.Fatalf("%d records past the limit", len(r.Records))
			}
		}
	})
}
