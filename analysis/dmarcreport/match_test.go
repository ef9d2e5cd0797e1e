package dmarcreport

import (
	"testing"

	"mxaudit/model"
)

func TestMayCarryReport(t *testing.T) {
	att := func(name, ctype string) []model.Attachment {
		return []model.Attachment{{Filename: name, ContentType: ctype}}
	}
	tests := []struct {
		name string
		m    model.Message
		want bool
	}{
		{"RFC 7489 subject", model.Message{Subject: "Report Domain: example.com Submitter: google.com Report-ID: 1"}, true},
		{"gzip report name", model.Message{Attachments: att("google.com!example.com!1!2.xml.gz", "application/octet-stream")}, true},
		{"zip by type", model.Message{Attachments: att("", "application/zip")}, true},
		{"xml by name", model.Message{Attachments: att("REPORT.XML", "")}, true},
		{"octet-stream alone", model.Message{Attachments: att("scan.pdf", "application/octet-stream")}, false},
		{"plain mail", model.Message{Subject: "Quote"}, false},
		{"office file", model.Message{Attachments: att("見積書.xlsx", "application/vnd.ms-excel")}, false},
	}
	for _, tt := range tests {
		if got := MayCarryReport(&tt.m); got != tt.want {
			t.Errorf("%s: MayCarryReport = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFailingSourceFilter(t *testing.T) {
	f := FailingSource{IP: "203.0.113.7", HeaderFrom: []string{"Example.COM"}}
	sf := f.Filter()
	if sf.IP != "203.0.113.7" || len(sf.FromDomains) != 1 || sf.FromDomains[0] != "example.com" {
		t.Fatalf("Filter = %+v", sf)
	}
	m := &model.Message{FromDomain: "example.com"}
	if !f.Matches(m) || !sf.Matches(m) {
		t.Fatal("a message From a header_from domain does not match")
	}
}
