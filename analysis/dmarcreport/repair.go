package dmarcreport

import "bytes"

// escapeStrayLT replaces every "<" that cannot start markup with "&lt;":
// markup is "<?", "<!", or "<" or "</" followed by a name and then space,
// "/" or ">". It reports whether anything changed.
func escapeStrayLT(data []byte) ([]byte, bool) {
	var out bytes.Buffer
	changed := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != '<' || startsMarkup(data[i+1:]) {
			out.WriteByte(c)
			continue
		}
		out.WriteString("&lt;")
		changed = true
	}
	return out.Bytes(), changed
}

func startsMarkup(rest []byte) bool {
	if len(rest) == 0 {
		return false
	}
	if rest[0] == '?' || rest[0] == '!' {
		return true
	}
	if rest[0] == '/' {
		rest = rest[1:]
	}
	n := 0
	for n < len(rest) && isNameByte(rest[n], n == 0) {
		n++
	}
	if n == 0 || n == len(rest) {
		return false
	}
	switch rest[n] {
	case ' ', '\t', '\r', '\n', '/', '>':
		return true
	}
	return false
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c >= 0x80:
		return true
	case c >= '0' && c <= '9', c == '-', c == '.', c == ':':
		return !first
	}
	return false
}
