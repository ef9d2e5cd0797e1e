package analysis

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// TestReadEntityAgreesWithMessageRead checks that readEntity, which
// parses with a pooled reader, reads every input as message.Read does:
// the same header fields, the same error, the same body; and that a
// reader given back and taken again carries nothing of the message
// before.
func TestReadEntityAgreesWithMessageRead(t *testing.T) {
	long := "X-Pad: " + strings.Repeat("a", 1000) + "\r\n"
	inputs := map[string]string{
		"plain":          "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n",
		"no body":        "From: a@example.com\r\nSubject: hi\r\n",
		"folded":         "Subject: one\r\n two\r\n\tthree\r\n\r\nx",
		"bare LF":        "Subject: lf\n\nbody\n",
		"no colon":       "From a@example.com\r\nSubject: x\r\n\r\n",
		"empty":          "",
		"header at 1MiB": strings.Repeat(long, 1100) + "\r\nbody",
		"multipart": "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
			"Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n",
		"unknown charset": "Content-Type: text/plain; charset=x-nope\r\n\r\nbody",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			want, wantErr := message.Read(strings.NewReader(in))
			got, br, gotErr := readEntity(strings.NewReader(in))
			if br != nil {
				defer putReader(br)
			}
			if name == "header at 1MiB" && wantErr == nil {
				t.Fatal("message.Read took a header past its limit: the case tests nothing")
			}
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("error %v, message.Read's %v", gotErr, wantErr)
			}
			if (got == nil) != (want == nil) {
				t.Fatalf("entity %v, message.Read's %v", got != nil, want != nil)
			}
			if got == nil {
				return
			}
			if g, w := fields(got), fields(want); g != w {
				t.Errorf("header\n%q\nmessage.Read's\n%q", g, w)
			}
			gb, _ := io.ReadAll(got.Body)
			wb, _ := io.ReadAll(want.Body)
			if !bytes.Equal(gb, wb) {
				t.Errorf("body %q, message.Read's %q", gb, wb)
			}
		})
	}
}

// fields lists an entity's header fields in order.
func fields(e *message.Entity) string {
	var b strings.Builder
	for f := e.Header.Fields(); f.Next(); {
		fmt.Fprintf(&b, "%s: %s\n", f.Key(), f.Value())
	}
	return b.String()
}
