package dmarcreport

import (
	"encoding/base64"
	"strings"
)

// base64Lines encodes data as a MIME body: 76-character lines.
func base64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
