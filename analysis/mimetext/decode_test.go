package mimetext

import (
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestDecodeHeaderText(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().String("見積書送付の件")
	eucjp, _ := japanese.EUCJP.NewEncoder().String("請求書の送付")
	jis, _ := japanese.ISO2022JP.NewEncoder().String("会議のご案内")
	tests := []struct {
		name, raw, want string
	}{
		{"ascii", "Quarterly report", "Quarterly report"},
		{"utf8 raw", "見積書", "見積書"},
		{"rfc2047 iso-2022-jp", "=?ISO-2022-JP?B?GyRCOCtAUT1xQXdJVSRON28bKEI=?=", "見積書送付の件"},
		{"rfc2047 utf-8 q", "=?UTF-8?Q?=E8=A6=8B=E7=A9=8D?= test", "見積 test"},
		{"rfc2047 shift_jis", "=?Shift_JIS?B?jKmQz4+R?=", "見積書"},
		{"rfc2047 cp932 label", "=?cp932?B?jKmQz4+R?=", "見積書"},
		{"rfc2047 lower-case b", "=?iso-2022-jp?b?GyRCOCtAUT1xGyhC?=", "見積書"},
		// A character split across two encoded words: each word alone is
		// not decodable, together they are.
		{"split utf-8 word", "=?UTF-8?B?6KaL?= =?UTF-8?B?56k=?= =?UTF-8?B?jQ==?=", "見積"},
		{"raw iso-2022-jp", jis, "会議のご案内"},
		{"raw shift_jis", sjis, "見積書送付の件"},
		{"raw euc-jp", eucjp, "請求書の送付"},
		{"invalid bytes", "abc\xff\xfe", "abc\uFFFD\uFFFD"},
		{"unknown charset kept", "=?x-unknown?B?YWJj?=", "=?x-unknown?B?YWJj?="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecodeHeaderText(tt.raw); got != tt.want {
				t.Errorf("DecodeHeaderText(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestHeaderParam(t *testing.T) {
	jisName, _ := japanese.ISO2022JP.NewEncoder().String("見積書.zip")
	sjisName, _ := japanese.ShiftJIS.NewEncoder().String("請求書.zip")
	tests := []struct {
		name, value, param, want string
	}{
		{"plain", `attachment; filename="report.zip"`, "filename", "report.zip"},
		{"token", `attachment; filename=report.zip`, "filename", "report.zip"},
		{"rfc2231 utf-8", `attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.zip`, "filename", "見積書.zip"},
		{"rfc2231 continuation", `attachment; filename*0*=UTF-8''%E8%A6%8B; filename*1*=%E7%A9%8D; filename*2=".zip"`, "filename", "見積.zip"},
		{"rfc2231 iso-2022-jp", `attachment; filename*=ISO-2022-JP''` + percent(jisName), "filename", "見積書.zip"},
		{"rfc2231 shift_jis with language", `attachment; filename*=shift_jis'ja'` + percent(sjisName), "filename", "請求書.zip"},
		{"rfc2047 in quotes", `application/zip; name="=?ISO-2022-JP?B?GyRCOCtAUT1xGyhC?=.zip"`, "name", "見積書.zip"},
		{"raw shift_jis", `attachment; filename="` + sjisName + `"`, "filename", "請求書.zip"},
		{"quoted semicolon", `attachment; filename="a;b.zip"; size=3`, "filename", "a;b.zip"},
		{"escaped quote", `attachment; filename="say \"hi\".txt"`, "filename", `say "hi".txt`},
		{"case-insensitive key", `attachment; FileName="X.ZIP"`, "filename", "X.ZIP"},
		{"missing", `attachment`, "filename", ""},
		{"broken neighbour", `attachment; =broken; filename="ok.zip"`, "filename", "ok.zip"},
		{"extended wins over plain", `attachment; filename="fallback.zip"; filename*=UTF-8''real.zip`, "filename", "real.zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Param(tt.value, tt.param); got != tt.want {
				t.Errorf("Param(%q, %q) = %q, want %q", tt.value, tt.param, got, tt.want)
			}
		})
	}
}

// percent percent-encodes every byte, as RFC 2231 writers do for non-ASCII.
func percent(s string) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(s)*3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && c > 0x20 && c != '%' && c != '\'' && c != '*' && c != '\x1b' {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hex[c>>4], hex[c&15])
	}
	return string(out)
}
