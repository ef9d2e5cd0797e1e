package store

import (
	"bytes"
	"fmt"
	"strings"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"mxaudit/model"
)

// GetEncoded is Get for a caller that prints the message as JSON and
// needs only its head in between (see model.Encoded): the fields before
// "attachments" are decoded, the rest stays in the cached bytes. A record
// whose head cannot be cut off cleanly is decoded whole, as Get does, so
// the answer is never less than Get's.
func (c *Cache) GetEncoded(key string) (model.Message, bool) {
	if strings.HasPrefix(key, SnapshotPrefix) {
		c.misses.Add(1)
		return model.Message{}, false
	}
	raw, _, place, ok := c.recordPlaced(nil, key)
	if !ok {
		return model.Message{}, false
	}
	// m stays on the stack: encoding/json decodes into a message of its
	// own (decodeWhole), or m would go to the heap for every record,
	// decoded by reflection or not.
	var m model.Message
	if head, rest, ok := cutHead(raw); ok {
		ok = decodeHead(head, &m)
		if !ok {
			// decodeHead declined it, and may have left part of it in
			// m: encoding/json decodes it, into a message of its own.
			m, ok = decodeWhole(closeHead(head))
		}
		if ok {
			m.Encoded = &model.Encoded{
				JSON:                    raw,
				HasFiles:                !bytes.HasPrefix(rest, []byte("null")) && !bytes.HasPrefix(rest, []byte("[]")),
				MayHaveEncryptedArchive: mayHaveEncryptedArchive(rest),
			}
			if place.from != nil {
				m.Encoded.From, m.Encoded.At = place.from, place.at
			}
			c.hits.Add(1)
			return m, true
		}
	}
	m, ok = decodeWhole(raw)
	if !ok {
		c.misses.Add(1)
		return model.Message{}, false
	}
	c.hits.Add(1)
	return m, true
}

// decodeWhole decodes a record's message with encoding/json.
func decodeWhole(raw []byte) (model.Message, bool) {
	var m model.Message
	err := jsonv1.Unmarshal(raw, &m)
	return m, err == nil
}

// EncodedMessage is a message with the cache's encoding of it beside
// (model.Encoded), made by Encode: PutEncoded stores only these, so
// that what it stores is what Put would, never bytes read or edited
// elsewhere.
type EncodedMessage struct{ m model.Message }

// Message returns the message, as GetEncoded would return it once
// cached: its fields as they were given, Exception left out, and its
// encoding beside them.
func (e EncodedMessage) Message() model.Message { return e.m }

// Encode encodes m as Put would cache it. A caller that caches a
// message (PutEncoded) and prints it as JSON encodes it once, not twice.
func Encode(m model.Message) (EncodedMessage, error) {
	m.Exception, m.Encoded = nil, nil
	raw, err := encodeMessage(&m)
	if err != nil {
		return EncodedMessage{}, err
	}
	enc := &model.Encoded{JSON: raw, HasFiles: m.HasAttachments(), MayHaveEncryptedArchive: true}
	if _, rest, ok := cutHead(raw); ok {
		enc.MayHaveEncryptedArchive = mayHaveEncryptedArchive(rest)
	}
	m.Encoded = enc
	return EncodedMessage{m}, nil
}

// PutEncoded is Put for a message Encode encoded: its encoding is
// stored as it is, not copied; the message's Encoded.JSON and the
// cache's record are then the same bytes, which no one writes
// (model.Encoded).
func (c *Cache) PutEncoded(key string, e EncodedMessage) error {
	if !e.m.IsEncoded() {
		return fmt.Errorf("cache %s: the message is not encoded", key)
	}
	if strings.HasPrefix(key, SnapshotPrefix) {
		return fmt.Errorf("cache %s: %w", key, errNotSnapshot)
	}
	return c.putBytes(key, e.m.Encoded.JSON)
}

// attachmentsKey opens the first field after a message's head.
var attachmentsKey = []byte(`"attachments":`)

// cutHead splits an encoded message before its "attachments" field: head
// is the object of the fields before it, rest the field's value onward.
// The first match of "attachments": is that field: inside a JSON string
// a quote is always escaped, so the unescaped quote before the colon
// ends a string that a colon follows — a key — and every field before
// it is a string, a number or an array of strings, with no key of its
// own.
//
// head aliases raw and ends with the comma before "attachments": see
// closeHead for a JSON object.
func cutHead(raw []byte) (head, rest []byte, ok bool) {
	j := bytes.Index(raw, attachmentsKey)
	if j < 1 || raw[j-1] != ',' {
		return nil, nil, false
	}
	return raw[:j], raw[j+len(attachmentsKey):], true
}

// closeHead returns a copy of a head cutHead took, its last comma made
// the object's closing brace.
func closeHead(head []byte) []byte {
	obj := bytes.Clone(head)
	obj[len(obj)-1] = '}'
	return obj
}

// mayHaveEncryptedArchive reads, from the encoded rest of a message, the
// two facts Message.IsEncrypted decides on: an archive marked encrypted
// anywhere in the attachments, or the attachment verdict "encrypted". A
// string cannot imitate either (its quotes are escaped), so false means
// the decoded message is not encrypted and PPAP may leave it encoded.
//
// Both contain `ypted"`, whose first byte is rare in a record, so one
// search for it finds them quickly; a search for a pattern that starts
// with a quote stops at every string (it was a tenth of a warm scan).
func mayHaveEncryptedArchive(rest []byte) bool {
	for i := 0; ; {
		k := bytes.Index(rest[i:], crypted)
		if k < 0 {
			return false
		}
		k += i
		before, after := rest[:k], rest[k+len(crypted):]
		if bytes.HasSuffix(before, []byte(`"encr`)) && bytes.HasPrefix(after, []byte(`:true`)) || // "encrypted":true
			bytes.HasSuffix(before, []byte(`"attachment":"encr`)) { // "attachment":"encrypted"
			return true
		}
		i = k + 1
	}
}

// crypted is what both patterns of mayHaveEncryptedArchive hold.
var crypted = []byte(`ypted"`)
