package cli

import "bytes"

// emptyWhenNull are the fields that jsonWriter.Write prints as [] when
// they are nil (the schema promises arrays), as they appear in a cached
// message (encoding/json writes a nil slice as null). No other field of
// model.Message is encoded under these names without omitempty.
var emptyWhenNull = [][]byte{
	[]byte(`"attachments":null`),
	[]byte(`"risks":null`),
	[]byte(`"reasons":null`),
}

// writeEncoded writes a message cached by store.Cache (model.Encoded) as
// Write would write it decoded: the same encoder wrote it (HTML not
// escaped, Exception never set), so only the nil arrays differ.
//
// Every match of a field above is that field: inside a JSON string a
// quote is always escaped, so the unescaped quote after the name (as in
// `s":`) ends a string that a colon follows — a key — and the keys are
// model.Message's field names (it has no maps).
func (j *jsonWriter) writeEncoded(msg []byte) error {
	rest := msg
	for {
		i, field := nextNullArray(rest)
		if i < 0 {
			break
		}
		if _, err := j.out.Write(rest[:i+len(field)-len("null")]); err != nil {
			return err
		}
		if _, err := j.bw.WriteString("[]"); err != nil {
			return err
		}
		rest = rest[i+len(field):]
	}
	if _, err := j.out.Write(rest); err != nil {
		return err
	}
	return j.bw.WriteByte('\n')
}

// nextNullArray returns the offset in b of the first field of
// emptyWhenNull, and the field; -1 when there is none.
func nextNullArray(b []byte) (int, []byte) {
	best, bestField := -1, []byte(nil)
	for _, f := range emptyWhenNull {
		if k := bytes.Index(b, f); k >= 0 && (best < 0 || k < best) {
			best, bestField = k, f
		}
	}
	return best, bestField
}
