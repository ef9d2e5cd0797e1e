package cli

import "bytes"

// emptyWhenNull are the fields that jsonWriter.Write prints as [] when
// they are nil (the schema promises arrays), as they appear in a cached
// message (encoding/json writes a nil slice as null), each up to its
// closing quote. No other field of model.Message is encoded under these
// names without omitempty.
var emptyWhenNull = [][]byte{
	[]byte(`"attachments"`),
	[]byte(`"risks"`),
	[]byte(`"reasons"`),
}

// nullValue is a key's closing quote, the colon and null.
var nullValue = []byte(`":null`)

// writeEncoded writes a message cached by store.Cache (model.Encoded) as
// Write would write it decoded: the same encoder wrote it (HTML not
// escaped, Exception never set), so only the nil arrays differ. One pass
// finds the nulls that follow a key, which are few, and rewrites those of
// the fields above.
//
// Every match of a field above followed by :null is that field: inside
// a JSON string a quote is always escaped, so the unescaped quote after
// the name (as in `s":`) ends a string that a colon follows — a key —
// and the keys are model.Message's field names (it has no maps).
func (j *jsonWriter) writeEncoded(msg []byte) error {
	done := 0 // msg[:done] is written
	for i := 0; ; {
		k := bytes.Index(msg[i:], nullValue)
		if k < 0 {
			break
		}
		k += i // the key's closing quote
		i = k + len(nullValue)
		if !isNullArrayKey(msg[:k+1]) {
			continue
		}
		if _, err := j.out.Write(msg[done : k+2]); err != nil { // through the colon
			return err
		}
		if _, err := j.bw.WriteString("[]"); err != nil {
			return err
		}
		done = i
	}
	if _, err := j.out.Write(msg[done:]); err != nil {
		return err
	}
	return j.bw.WriteByte('\n')
}

// isNullArrayKey reports whether b ends with a key of emptyWhenNull.
func isNullArrayKey(b []byte) bool {
	for _, f := range emptyWhenNull {
		if bytes.HasSuffix(b, f) {
			return true
		}
	}
	return false
}
