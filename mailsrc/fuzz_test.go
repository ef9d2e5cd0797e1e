package mailsrc

import (
	"context"
	"io"
	"strings"
	"testing"
)

// FuzzScanMbox checks that any input scans without error or panic into
// spans that are in order, disjoint, inside the file, and (but for the
// text before the first From_ line) start with a header line; and that
// unquoting never fails or grows a message.
func FuzzScanMbox(f *testing.F) {
	f.Add("From a Mon Mar  7 14:23:23 2011\nSubject: x\n\n>From y\n\nFrom b\nTo: z\n\nbody")
	f.Add("Subject: alone\r\n\r\nFrom here\r\nprose\r\n")
	f.Add("\uFEFFFrom \n\nFrom  : obs\nFrom x\nA:\n")
	f.Fuzz(func(t *testing.T, in string) {
		var spans []mboxFound
		err := scanMbox(context.Background(), strings.NewReader(in), func(m mboxFound) error {
			spans = append(spans, m)
			return nil
		})
		if err != nil {
			t.Fatalf("scanMbox: %v", err)
		}
		end := int64(0)
		for i, m := range spans {
			s := m.span
			if s.off < end || s.n <= 0 || s.off+s.n > int64(len(in)) {
				t.Fatalf("span %d = %+v after end %d of %d bytes", i, s, end, len(in))
			}
			end = s.off + s.n
			msg := in[s.off:end]
			if m.err == nil && !isHeaderLine([]byte(msg)) && !(i == 0 && s.off <= 3) {
				t.Fatalf("span %d starts %.30q", i, msg)
			}
			out, err := io.ReadAll(newFromUnescaper(strings.NewReader(msg)))
			if err != nil || len(out) > len(msg) {
				t.Fatalf("unquoting: %v, %d bytes from %d", err, len(out), len(msg))
			}
		}
	})
}

// FuzzClassifyHead checks that classification never panics and never
// skips past the head.
func FuzzClassifyHead(f *testing.F) {
	f.Add("From a Mon\nSubject: x\n")
	f.Add("\uFEFF \tX: y")
	f.Fuzz(func(t *testing.T, head string) {
		skip, err := classifyHead([]byte(head))
		if skip < 0 || skip > len(head) || (err != nil && skip != 0) {
			t.Fatalf("skip %d, err %v for %d bytes", skip, err, len(head))
		}
	})
}
