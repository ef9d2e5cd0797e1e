package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"mxaudit/model"
)

// The cache file is JSON Lines: a header line, then one record per line,
// appended in the order they were written. Every line ends with a
// checksum field over the bytes before it:
//
//	{"format":"mxaudit-cache","version":2,"source":"imap://…","fingerprint":"<sha256>","schema":"<sha256>","written":1764370000,"c":"1a2b3c4d"}
//	{"k":"42/1234","t":1764370000,"m":{…model.Message…},"c":"5e6f7a8b"}
//	{"k":"42/1234","t":1764370100,"gone":true,"c":"9c0d1e2f"}
//
// A later record for a key supersedes an earlier one; "gone" removes the
// key (Prune). "t" is when the record was written (Unix seconds), for
// the maximum age. The checksum is CRC-32C: it catches torn and damaged
// lines, not forgery; the cache is trusted like the rest of the user's
// files (its directory is created 0700, and a file others can write is
// not read).
const (
	cacheFormat = "mxaudit-cache"
	// cacheVersion 2 added snapshot records (SnapshotPrefix), which name
	// other records by offset: an mxaudit that knows only version 1 would
	// keep them through a compaction, so it rebuilds the file instead.
	cacheVersion = 2
	// checksumSuffixLen is the length of `,"c":"xxxxxxxx"}`, which ends
	// every line.
	checksumSuffixLen = len(`,"c":"`) + 8 + len(`"}`)
	// maxCacheKeyLen bounds a key; source keys are short ("42/1234", a
	// 64-digit hash).
	maxCacheKeyLen = 256
	// maxCacheFileLen bounds the file read on open: a larger file is
	// not ours, or not worth loading. The generated quarantines take
	// about 2.9 KB of records a message, so that 1 GiB held about
	// 350,000 messages, and one of 1,000,000 (2.9 GB) was discarded and
	// analysed afresh at every start (237 s against 18 s warm). 16 GiB
	// holds about 5,500,000. Memory keeps only the index, read from its
	// own file (about 65 bytes a message, up to maxIdxLen: about
	// 4,000,000 messages) or else by reading the file line by line.
	maxCacheFileLen = 16 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// cacheHeader is the first line of a cache file.
type cacheHeader struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Source  string `json:"source"`
	// Fingerprint is the SHA-256 of the caller's fingerprint, so that
	// whatever goes into it (host names, settings) is not written out.
	Fingerprint string `json:"fingerprint"`
	// Schema is the SHA-256 of model.Message's shape (modelSchema).
	Schema string `json:"schema"`
	// Written is when the file was created or last compacted (Unix
	// seconds), for a person looking at it.
	Written int64 `json:"written"`
}

// sealLine appends the checksum field over body (a JSON object without
// its closing brace) and the newline.
func sealLine(body []byte) []byte {
	sum := crc32.Checksum(body, castagnoli)
	body = append(body, `,"c":"`...)
	body = append(body, fmt.Sprintf("%08x", sum)...)
	return append(body, "\"}\n"...)
}

// unsealLine checks a line's checksum (line without its newline) and
// returns the body it covers.
func unsealLine(line []byte) ([]byte, error) {
	if len(line) < checksumSuffixLen+2 {
		return nil, errors.New("line too short")
	}
	bodyEnd := len(line) - checksumSuffixLen
	suffix := line[bodyEnd:]
	if !bytes.HasPrefix(suffix, []byte(`,"c":"`)) || !bytes.HasSuffix(suffix, []byte(`"}`)) {
		return nil, errors.New("no checksum")
	}
	want, err := strconv.ParseUint(string(suffix[6:14]), 16, 32)
	if err != nil {
		return nil, errors.New("malformed checksum")
	}
	body := line[:bodyEnd]
	if crc32.Checksum(body, castagnoli) != uint32(want) {
		return nil, errors.New("checksum mismatch")
	}
	return body, nil
}

// encodeHeader returns the header line.
func encodeHeader(h cacheHeader) []byte {
	b, err := json.Marshal(h)
	if err != nil {
		// A struct of strings and integers always encodes.
		panic(err)
	}
	return sealLine(b[:len(b)-1])
}

// parseHeader checks the first line of a file against what this cache
// expects and says why it cannot be used when it does not match.
func parseHeader(line []byte, want cacheHeader) error {
	body, err := unsealLine(line)
	if err != nil {
		return fmt.Errorf("damaged header (%v)", err)
	}
	var h cacheHeader
	// A copy: body is the caller's line, which must stay as it is.
	dec := json.NewDecoder(bytes.NewReader(append(body[:len(body):len(body)], '}')))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("damaged header (%v)", err)
	}
	switch {
	case h.Format != cacheFormat:
		return fmt.Errorf("not an mxaudit cache (format %q)", h.Format)
	case h.Version != cacheVersion:
		return fmt.Errorf("format version %d, this mxaudit writes %d", h.Version, cacheVersion)
	case h.Source != want.Source:
		return fmt.Errorf("the file belongs to another source (%q)", h.Source)
	case h.Schema != want.Schema:
		return errors.New("the message model changed since it was written")
	case h.Fingerprint != want.Fingerprint:
		return errors.New("the analysis settings (fingerprint) changed")
	}
	return nil
}

// encodeRecord returns the line that stores msg (a model.Message encoded
// by encodeMessage) under key, or removes key when msg is nil.
func encodeRecord(key string, written int64, msg []byte) []byte {
	if msg == nil {
		b := recordKeyTime(key, written, len(recordGone)+checksumSuffixLen+2)
		return sealLine(append(b, recordGone...))
	}
	b := recordPrefix(key, written, len(msg)+checksumSuffixLen+2)
	return sealLine(append(b, msg...))
}

// recordPrefix is what encodeRecord writes for key and written before
// the message, with room for extra more bytes.
func recordPrefix(key string, written int64, extra int) []byte {
	return append(recordKeyTime(key, written, len(recordMsgKey)+extra), recordMsgKey...)
}

// hasRecordPrefix reports whether line starts with recordPrefix(key,
// written, 0), without making it: a warm scan checks every record it
// reads, and making the prefix was an allocation each.
func hasRecordPrefix(line []byte, key string, written int64) bool {
	var num [20]byte // an int64 in decimal
	line, ok := cutString(line, recordKeyOpen)
	if ok {
		line, ok = cutString(line, key)
	}
	if ok {
		line, ok = cutString(line, recordTimeKey)
	}
	if ok {
		line, ok = bytes.CutPrefix(line, strconv.AppendInt(num[:0], written, 10))
	}
	if ok {
		_, ok = cutString(line, recordMsgKey)
	}
	return ok
}

// cutString is bytes.CutPrefix for a prefix held as a string, which it
// does not copy.
func cutString(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// The parts of a record line, in the order encodeRecord writes them:
// {"k":"KEY","t":TIME then ,"m":MESSAGE or ,"gone":true, then the
// checksum (sealLine). Writing, parsing and checking a record spell
// them from here.
const (
	recordKeyOpen = `{"k":"`
	recordTimeKey = `","t":`
	recordMsgKey  = `,"m":`
	recordGone    = `,"gone":true`
)

// recordKeyTime is the start every record line shares: its key and time.
func recordKeyTime(key string, written int64, extra int) []byte {
	b := make([]byte, 0, recordMsgOffset(key, written)+extra)
	b = append(b, recordKeyOpen...)
	b = append(b, key...)
	b = append(b, recordTimeKey...)
	return strconv.AppendInt(b, written, 10)
}

// recordMsgOffset is where the message starts in the record line that
// encodeRecord writes for key and written.
func recordMsgOffset(key string, written int64) int {
	return len(recordKeyOpen) + len(key) + len(recordTimeKey) + decimalLen(written) + len(recordMsgKey)
}

// decimalLen is len(strconv.FormatInt(n, 10)), without formatting it.
func decimalLen(n int64) int {
	l := 1
	u := uint64(n)
	if n < 0 {
		l++
		u = -u
	}
	for ; u >= 10; u /= 10 {
		l++
	}
	return l
}

// cacheRecord is one decoded record line; msg is nil for a removal.
type cacheRecord struct {
	key     string
	written int64
	msg     []byte
}

// parseCacheRecord reads a record line (without its newline) in exactly the
// layout encodeRecord writes. Only the checksum, the key and the time
// are checked here, which keeps opening a large cache fast; the message
// is decoded by Get, and a message that does not decode is a miss.
// msg aliases line.
func parseCacheRecord(line []byte) (cacheRecord, error) {
	body, err := unsealLine(line)
	if err != nil {
		return cacheRecord{}, err
	}
	rest, ok := cutString(body, recordKeyOpen)
	if !ok {
		return cacheRecord{}, errors.New("not a record")
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || validCacheKey(string(rest[:end])) != nil {
		return cacheRecord{}, errors.New("bad key")
	}
	r := cacheRecord{key: string(rest[:end])}
	rest, ok = cutString(rest[end:], recordTimeKey)
	if !ok {
		return cacheRecord{}, errors.New("no time")
	}
	digits := 0
	for digits < len(rest) && digits < 19 && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if r.written, err = strconv.ParseInt(string(rest[:digits]), 10, 64); err != nil {
		return cacheRecord{}, errors.New("bad time")
	}
	rest = rest[digits:]
	if string(rest) == recordGone {
		return r, nil
	}
	msg, ok := cutString(rest, recordMsgKey)
	if !ok || len(msg) < 2 || msg[0] != '{' || msg[len(msg)-1] != '}' {
		return cacheRecord{}, errors.New("no message")
	}
	r.msg = msg
	return r, nil
}

// validCacheKey accepts printable ASCII without quote or backslash: what
// sources use ("UIDVALIDITY/UID", a hex digest), and what needs no JSON
// escaping, so a record can be read without a JSON decoder.
func validCacheKey(key string) error {
	if key == "" || len(key) > maxCacheKeyLen {
		return fmt.Errorf("cache key of %d bytes (want 1 to %d)", len(key), maxCacheKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("cache key %q: byte %#x not allowed", key, c)
		}
	}
	return nil
}

// errLossy is returned for a message that JSON cannot carry exactly.
var errLossy = errors.New("the message holds invalid UTF-8, which would not survive the cache unchanged")

// encodeMessage encodes m for the cache. HTML characters are not escaped
// (addresses are full of < and >). A message with invalid UTF-8 in a
// string is refused: JSON would replace the bytes with U+FFFD, and a
// Message-ID altered that way could pair differently (PPAP) than the
// message analysed afresh.
func encodeMessage(m *model.Message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if replacedInvalidUTF8(b) {
		return nil, errLossy
	}
	return b, nil
}

// replacedInvalidUTF8 reports whether encoding/json wrote the escape
// \ufffd, which it does only for invalid UTF-8 (a real U+FFFD is written
// as is). An escape is one whose backslash follows an even run of
// backslashes; "\\ufffd" is a backslash followed by text.
func replacedInvalidUTF8(b []byte) bool {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(`\ufffd`))
		if j < 0 {
			return false
		}
		j += i
		run := 0
		for k := j - 1; k >= 0 && b[k] == '\\'; k-- {
			run++
		}
		if run%2 == 0 {
			return true
		}
		i = j + 1
	}
}

// modelSchema is the SHA-256 of model.Message's shape: every field's
// name, JSON tag and type, recursively. It is written in the header, so
// that a cache written by an mxaudit whose model differs (a field added,
// renamed or retyped) is rebuilt instead of decoded into zero values.
var modelSchema = sync.OnceValue(func() string {
	var b strings.Builder
	describeType(&b, reflect.TypeFor[model.Message](), map[reflect.Type]bool{})
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
})

func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t == reflect.TypeFor[time.Time]() {
		b.WriteString("time.Time")
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		b.WriteString("*")
		describeType(b, t.Elem(), seen)
	case reflect.Slice:
		b.WriteString("[]")
		describeType(b, t.Elem(), seen)
	case reflect.Map:
		b.WriteString("map[")
		describeType(b, t.Key(), seen)
		b.WriteString("]")
		describeType(b, t.Elem(), seen)
	case reflect.Struct:
		b.WriteString(t.String())
		if seen[t] { // recursive types (Archive → Entry → Archive)
			return
		}
		seen[t] = true
		b.WriteString("{")
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Tag.Get("json") == "-" {
				continue // never in the file (Message.Encoded)
			}
			fmt.Fprintf(b, "%s `%s` ", f.Name, f.Tag.Get("json"))
			describeType(b, f.Type, seen)
			b.WriteString(";")
		}
		b.WriteString("}")
	default:
		b.WriteString(t.String())
	}
}

// sha256Hex returns the hex SHA-256 of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
