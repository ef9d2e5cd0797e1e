package store

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// headOf is the head cutHead takes from m as the cache encodes it.
func headOf(t testing.TB, m model.Message) []byte {
	t.Helper()
	b, err := encodeMessage(&m)
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := cutHead(b)
	if !ok {
		t.Fatalf("no head in %s", b)
	}
	return head
}

// checkHead fails when decodeHead takes head (as cutHead cuts it) and
// decodes it otherwise than encoding/json; it returns whether decodeHead
// took it.
func checkHead(t testing.TB, head []byte) bool {
	t.Helper()
	var got, want model.Message
	if !decodeHead(head, &got) {
		return false
	}
	if len(head) == 0 {
		t.Fatal("decodeHead took an empty head")
	}
	if err := json.Unmarshal(closeHead(head), &want); err != nil {
		t.Fatalf("decodeHead took %s, which encoding/json refuses: %v", head, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("head %s\ndecodeHead   %#v\nencoding/json %#v", head, got, want)
	}
	return true
}

// TestDecodeHeadIsEncodingJSON: over the test messages, real mail and
// random heads, decodeHead decodes what it takes exactly as
// encoding/json does (nil and empty lists, dates in zones, Japanese
// text), and declines escapes and what it does not know.
func TestDecodeHeadIsEncodingJSON(t *testing.T) {
	took := 0
	var msgs []model.Message
	for i := range 8 {
		msgs = append(msgs, sampleMessage(i))
	}
	msgs = append(msgs, realMessages(t, 40)...)
	msgs = append(msgs,
		model.Message{},
		model.Message{To: []string{}, Cc: []string{}, References: []string{}, Size: -3},
		model.Message{ID: "x", Date: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", -5*3600)), DateSource: model.DateDelivered},
		model.Message{ID: "y", References: []string{"<r@x>"}, PasswordsInText: model.PasswordsNone},
		model.Message{ID: "z", PasswordsInText: model.PasswordsFound},
	)
	plain := len(msgs) // real and test messages: mostly without escapes
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", " ", "<", ">", "@", "&", "件名", "\u202e", "\"", "\\", "\n", "\x01", "\u2028", "/"}
	word := func() string {
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	list := func() []string {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return []string{word(), word()}
	}
	for range 500 {
		msgs = append(msgs, model.Message{
			ID: model.MessageID(word()), MessageID: word(), From: word(), FromAddr: word(), FromDomain: word(),
			ReturnPath: word(), To: list(), Cc: list(), Subject: word(),
			Date: time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("", 3600*(rng.IntN(25)-12))),
			Size: rng.Int64N(1 << 40), SHA256: word(), InReplyTo: word(), References: list(),
			PasswordsInText: model.PasswordsInText([]string{"", "none", "found", word()}[rng.IntN(4)]),
		})
	}
	for i, m := range msgs {
		if checkHead(t, headOf(t, m)) && i < plain {
			took++
		}
	}
	for _, pw := range []model.PasswordsInText{model.PasswordsNone, model.PasswordsFound} {
		// A warm scan's pairing reads it from every head: never the slow way.
		if !checkHead(t, headOf(t, model.Message{ID: "p", PasswordsInText: pw})) {
			t.Errorf("decodeHead declined a head with passwords_in_text %q", pw)
		}
	}
	for _, bad := range []string{
		`{"id":"a","extra":1,`, `{"id":"a\"b",`, `{"size":1.5,`, `{"size":01,`, `{"size":1e3,`,
		`{"to":[null],`, `{"date":null,`, `{"id":"a"`, `{"id":"a",x`, `{"id":"a",,`, "{\"id\":\"\xff\",", `{`, `{,`,
		"{\"id\":\"abcdefgh\x1fijklmno\",", "{\"id\":\"abcdefghijklmn\x00\",", "{\"id\":\"件名件名件名\x7f\x1e\",",
		"{\"subject\":\"abcdefghijklmnop\\\"\",",
	} {
		if checkHead(t, []byte(bad)) {
			t.Errorf("decodeHead took %s", bad)
		}
	}
	if took < plain/2 {
		t.Fatalf("decodeHead took only %d of %d heads of mail", took, plain)
	}
	t.Logf("decodeHead took %d of %d heads of mail", took, plain)
}

// TestHasControl: the search eight bytes at a time finds a control
// character wherever it is, and nothing else: bytes from 0x20 up,
// multi-byte UTF-8 and DEL included.
func TestHasControl(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			switch rng.IntN(4) {
			case 0:
				b[i] = byte(rng.IntN(0x40)) // about 0x20
			case 1:
				b[i] = byte(0x7f + rng.IntN(0x81)) // DEL and the high bytes
			default:
				b[i] = byte(0x20 + rng.IntN(0x5f))
			}
		}
		want := bytes.ContainsFunc(b, func(r rune) bool { return r < 0x20 })
		if got := hasControl(b); got != want {
			t.Fatalf("hasControl(%q) = %v, want %v", b, got, want)
		}
	}
}

// FuzzDecodeHead: whatever decodeHead takes, encoding/json decodes alike.
func FuzzDecodeHead(f *testing.F) {
	for i := range 4 {
		f.Add(headOf(f, sampleMessage(i)))
	}
	f.Add([]byte(`{"id":"a","to":[],"size":-0,`))
	f.Fuzz(func(t *testing.T, head []byte) { checkHead(t, head) })
}

// TestMayHaveEncryptedArchiveSearch: the one search finds exactly what
// the two plain searches for its patterns find.
func TestMayHaveEncryptedArchiveSearch(t *testing.T) {
	plain := func(rest []byte) bool {
		return bytes.Contains(rest, []byte(`"encrypted":true`)) || bytes.Contains(rest, []byte(`"attachment":"encrypted"`))
	}
	cases := []string{"", `ypted"`, `"encrypted":true`, `"encrypted":tru`, `encrypted":true`, `"encrypted":false`,
		`"attachment":"encrypted"`, `"attachment":"encrypte"`, `attachment":"encrypted"`, `"encrypted"ypted":true`,
		`ypted"ypted"ypted"`, `x"encr"encrypted":true`, `"attachment":"encryptedypted"`}
	for _, m := range realMessages(t, 40) {
		b, err := encodeMessage(&m)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, string(b))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	parts := []string{`"encr`, `ypted"`, `:true`, `"attachment":`, `"`, `x`, `:`}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		cases = append(cases, b.String())
	}
	found := 0
	for _, c := range cases {
		want := plain([]byte(c))
		if got := mayHaveEncryptedArchive([]byte(c)); got != want {
			t.Fatalf("%q: %v, want %v", c, got, want)
		}
		if want {
			found++
		}
	}
	if found == 0 {
		t.Fatal("no case holds a pattern")
	}
}
