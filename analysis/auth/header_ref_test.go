package auth

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestReadHeaderMatchesReference compares readHeader with the reference
// below (the version before lines were read straight into raw) on
// generated header sections: folded fields, fields without a colon,
// bare LF and CR, leading whitespace, lines longer than the reader's
// buffer, a missing end, and a section over MaxHeaderBytes. The header
// and what is left for the body must be the same.
func TestReadHeaderMatchesReference(t *testing.T) {
	lines := []string{
		"From: a@example.com\r\n", "Subject: hello\r\n", " folded part\r\n", "\tfolded tab\r\n",
		"X-No-Colon line\r\n", "Bare: lf\n", "Received: from x by y; Mon, 2 Jan 2006 15:04:05 -0700\r\n",
		": empty name\r\n", "Name With Space: v\r\n", "\r\n", "\n", "  \r\n", "CR: only\r", "DKIM-Signature: v=1; a=rsa-sha256;\r\n",
		"Long: " + strings.Repeat("x", 5000) + "\r\n", "Body text after\r\n",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []string
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(lines[rng.IntN(len(lines))])
		}
		cases = append(cases, b.String())
	}
	cases = append(cases, "", "From: a\r\n", strings.Repeat("X-Big: "+strings.Repeat("y", 1000)+"\r\n", 1100)+"\r\nbody")
	for _, c := range cases {
		for _, size := range []int{16, 4096} {
			got, gotErr := readHeader(bufio.NewReaderSize(strings.NewReader(c), size))
			want, wantErr := refReadHeader(bufio.NewReaderSize(strings.NewReader(c), size))
			if !errors.Is(gotErr, wantErr) && (gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error()) {
				t.Fatalf("%q: error %v, reference %v", c, gotErr, wantErr)
			}
			if !bytes.Equal(got.raw, want.raw) || got.complete != want.complete || !reflect.DeepEqual(got.fields, want.fields) {
				t.Fatalf("%q (buffer %d):\n got %+v\nwant %+v", c, size, got, want)
			}
		}
	}
}

// refReadHeader and refReadLine are readHeader and readLine as they were.
func refReadHeader(br *bufio.Reader) (*messageHeader, error) {
	h := &messageHeader{}
	var cur []byte // the field being unfolded
	flush := func() {
		if cur == nil {
			return
		}
		name, value, ok := bytes.Cut(cur, []byte(":"))
		// A line without a colon (an mbox "From " line, garbage) is not a
		// field; it stays in raw for DKIM but is not interpreted.
		if ok && len(bytes.TrimSpace(name)) > 0 && !bytes.ContainsAny(name, " \t") {
			h.fields = append(h.fields, headerField{
				name:  strings.ToLower(string(name)),
				value: string(bytes.TrimSpace(value)),
			})
		}
		cur = nil
	}
	for {
		line, err := refReadLine(br, MaxHeaderBytes-len(h.raw))
		h.raw = append(h.raw, line...)
		if errors.Is(err, errHeaderTooLarge) {
			return h, err
		}
		content := bytes.TrimRight(line, "\r\n")
		switch {
		case len(content) == 0 && len(line) > 0:
			flush()
			h.complete = true
			return h, nil
		case len(content) > 0 && (content[0] == ' ' || content[0] == '\t') && cur != nil:
			cur = append(cur, ' ')
			cur = append(cur, bytes.TrimLeft(content, " \t")...)
		case len(content) > 0:
			flush()
			cur = append([]byte{}, content...)
		}
		if err != nil {
			flush()
			if err == io.EOF {
				return h, nil
			}
			return h, err
		}
	}
}
func refReadLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > limit {
			return append(line, chunk[:max(0, limit-len(line))]...), errHeaderTooLarge
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}
