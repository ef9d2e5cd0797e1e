package dmarcreport

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"strings"
	"testing"
)

// TestTextDeclaredGzipReport: a gzipped report declared text/plain in a
// legacy charset is read as the .gz a mail client saves, not converted
// from the charset (which mangled it).
func TestTextDeclaredGzipReport(t *testing.T) {
	xml := `<?xml version="1.0"?><feedback><report_metadata><org_name>x</org_name><report_id>1</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers></record></feedback>`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(xml))
	zw.Close()
	for _, cs := range []string{"utf-8", "windows-1252"} {
		raw := "From: r@x\r\nSubject: Report\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n" +
			"Content-Type: text/plain; charset=" + cs + "; name=\"x!example.com!1!2.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(gz.Bytes()) + "\r\n--B--\r\n"
		reps, err := FromMessage(strings.NewReader(raw), Limits{})
		if len(reps) != 1 {
			t.Errorf("charset %s: %d reports (%v)", cs, len(reps), err)
		}
	}
}
