package auth

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// readHeader is readHeaderInto a header section of its own, as the
// tests read one.
func readHeader(br *bufio.Reader) (*messageHeader, error) {
	return readHeaderInto(&messageHeader{raw: make([]byte, 0, 4096)}, br)
}

// TestPooledHeaderCarriesNothingOver reads a long header into a pooled
// section, gives it back, reads a short one into the same section, and
// checks that it holds exactly what a fresh one would: nothing of the
// message before may reach the next one's verdict.
func TestPooledHeaderCarriesNothingOver(t *testing.T) {
	first := "Received: from evil.example\r\nFrom: a@evil.example\r\nAuthentication-Results: mx; dmarc=pass\r\nSubject: one\r\n\r\nbody"
	second := "From: b@good.example\r\n"
	h := getHeader()
	if _, err := readHeaderInto(h, bufio.NewReader(strings.NewReader(first))); err != nil {
		t.Fatal(err)
	}
	putHeader(h)
	got, err := readHeaderInto(h, bufio.NewReader(strings.NewReader(second)))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := readHeader(bufio.NewReader(strings.NewReader(second)))
	if !reflect.DeepEqual(got.fields, want.fields) || !bytes.Equal(got.raw, want.raw) || got.complete != want.complete {
		t.Fatalf("reused section %+v, fresh %+v", got, want)
	}
}
