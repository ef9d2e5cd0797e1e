package analysis

import (
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"
)

// TestParseDateAgreesWithNetMail compares parseDate with net/mail's
// ParseDate on the forms mailers write, hostile variants and random
// mixtures of their pieces: both must fail together, or give the same
// instant in the same zone.
func TestParseDateAgreesWithNetMail(t *testing.T) {
	values := []string{
		"Mon, 16 Nov 2026 19:48:50 +0900",
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Tue, 02 Jan 2006 15:04:05 -0700",
		"Wed, 2 Jan 06 15:04:05 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Thu, 2 Jan 2006 15:04 -0700",
		"Fri, 20 Nov 1997 09:55:06 MDT",
		"Sat, 2 Jan 2006 15:04:05 +0000 (UTC)",
		"Sun, 2 Jan 2006 15:04:05 -0700 (PST)",
		"Sun, 2 Jan 2006 15:04:05 -07000",
		"Sun, 2 Jan 2006 15:04:05 +09:00",
		"Mon, 31 Feb 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 24:00:00 -0700",
		"Mon, 2 Jan 2006 23:59:60 -0700",
		"Monday, 2 Jan 2006 15:04:05 -0700",
		"mon, 2 jan 2006 15:04:05 -0700",
		"Mon,  2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006\r\n 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 -0700\r\n",
		"Mon, 2 Jan 2006 15:04:05 -0700 ",
		" Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 +9999",
		"Mon, 2 Jan 0000 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 GMT",
		"Mon, 2 Jan 2006 15:04:05 UT",
		"Mon, 2 Jan 2006 15:04:05",
		"Mon, 002 Jan 2006 15:04:05 -0700",
		"2006-01-02T15:04:05Z",
		"", "garbage", "Mon, -2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 -0700 (unclosed",
	}
	// The first piece of each set is the common form's.
	pieces := [][]string{
		{"Mon, ", "", "Tue, ", "Xyz, ", "Mon,", "mon, ", " Mon, "},
		{"2", "02", "31", "32", "0", "-1", "+2", "002", "1"},
		{" Jan ", " jan ", " January ", " Feb ", " Foo ", "  Jan ", " Jan"},
		{"2006", "06", "1", "99999", "-2006", "+2006", "0000"},
		{" 15:04", " 25:04", " 15:61", " 1:4", " 15:04:05", " 15:04:60", " 15:04:05.123"},
		{":05", "", ":5", ":99"},
		{" -0700", " +0900", " +0000", " MST", " UT", " GMT", " JST", " -07", " +09:00", " -07000", ""},
		{"", " (UTC)", " (", " ()", "\r\n", " x", "(JST)", "  "},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for _, p := range pieces {
			// Mostly the first (valid) piece, so that many values parse.
			if i := rng.IntN(2 * len(p)); i < len(p) {
				b.WriteString(p[i])
			} else {
				b.WriteString(p[0])
			}
		}
		values = append(values, b.String())
	}
	matched := 0
	for _, v := range values {
		want, wantErr := mail.ParseDate(v)
		got, err := parseDate(v)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, net/mail %v", v, err, wantErr)
		}
		if err != nil {
			continue
		}
		matched++
		_, gotOff := got.Zone()
		_, wantOff := want.Zone()
		if !got.Equal(want) || gotOff != wantOff || got.Location().String() != want.Location().String() {
			t.Fatalf("%q: %v, net/mail %v", v, got, want)
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d of %d values parse: the generator no longer exercises parsing", matched, len(values))
	}
}
