package dmarcreport

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo"
)

// TestInflateCaps inflates gzip and ZIP streams around the two sizes that
// matter: what inflate holds while reading (inflateInMemory) and the cap.
func TestInflateCaps(t *testing.T) {
	const max = 3 << 20
	tests := []struct {
		name string
		size int
		ok   bool
	}{
		{"empty", 0, true},
		{"small", 1000, true},
		{"exactly what is held", inflateInMemory, true},
		{"one byte more than held", inflateInMemory + 1, true},
		{"exactly the cap", max, true},
		{"one byte over the cap", max + 1, false},
		{"far over the cap", 4 * max, false},
	}
	for _, tt := range tests {
		data := bytes.Repeat([]byte("<x/>"), tt.size/4+1)[:tt.size]
		for _, kind := range []string{"gzip", "zip"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				var out []byte
				var err error
				if kind == "gzip" {
					out, err = gunzip(gz(t, data), max)
				} else {
					out, err = unzipMember(t, zipped(t, "r.xml", data), max)
				}
				var size *SizeError
				switch {
				case tt.ok && err != nil:
					t.Fatalf("err = %v", err)
				case tt.ok && !bytes.Equal(out, data):
					t.Fatalf("got %d bytes, want %d", len(out), len(data))
				case !tt.ok && !errors.As(err, &size):
					t.Fatalf("err = %v, want a SizeError", err)
				case !tt.ok && (size.Limit != max || !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "report larger than 3 MiB decompressed")):
					t.Fatalf("err = %v (%+v)", err, size)
				}
			})
		}
	}
}

func unzipMember(t *testing.T, data []byte, max int64) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return readMember(zr.File[0], max)
}

// TestCapReader checks that a mail over its cap fails as too large rather
// than being cut short in silence, and that one exactly at the cap reads.
func TestCapReader(t *testing.T) {
	tests := []struct {
		size, max int
		ok        bool
	}{{0, 10, true}, {9, 10, true}, {10, 10, true}, {11, 10, false}, {5000, 10, false}}
	for _, tt := range tests {
		got, err := io.ReadAll(newCapReader(strings.NewReader(strings.Repeat("a", tt.size)), int64(tt.max), "mail"))
		var size *SizeError
		switch {
		case tt.ok && (err != nil || len(got) != tt.size):
			t.Errorf("%d of %d: %d bytes, err %v", tt.size, tt.max, len(got), err)
		case !tt.ok && (!errors.As(err, &size) || err.Error() != "mail larger than 10 bytes"):
			t.Errorf("%d of %d: err %v, want a SizeError", tt.size, tt.max, err)
		}
	}
}

func TestSizeErrorText(t *testing.T) {
	tests := []struct {
		err  SizeError
		want string
	}{
		{SizeError{"report", DefaultMaxBytes}, "report larger than 64 MiB decompressed"},
		{SizeError{"mail", 2 * DefaultMaxBytes}, "mail larger than 128 MiB"},
		{SizeError{"attachment", 1536}, "attachment larger than 1536 bytes"},
		{SizeError{"file", 2048}, "file larger than 2 KiB"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestBombMails reads the generated bomb report mails: each is refused
// with the size it broke, and an ordinary report mail of the same
// generator reads.
func TestBombMails(t *testing.T) {
	lim := Limits{MaxBytes: 4 << 20}
	tests := []struct {
		name string
		mail demo.Sample
	}{
		{"gzip", demo.ReportBombMail(demo.GzipBomb, 3, 16<<20)},
		{"zip", demo.ReportBombMail(demo.ZipBomb, 4, 16<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reps, err := FromMessage(bytes.NewReader(tt.mail.Raw), lim)
			if len(reps) != 0 || err == nil || !strings.Contains(err.Error(), "report larger than 4 MiB decompressed") {
				t.Fatalf("%d reports, err %v", len(reps), err)
			}
		})
	}
	reps, err := FromMessage(bytes.NewReader(demo.ReportMail(7).Raw), lim)
	if err != nil || len(reps) != 1 || len(reps[0].Records) != 8 || reps[0].PolicyPublished.Domain != "example07.com" {
		t.Fatalf("ordinary mail: %d reports, err %v", len(reps), err)
	}
}
