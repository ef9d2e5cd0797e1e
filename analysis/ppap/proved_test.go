package ppap

import (
	"bytes"
	"testing"

	yzip "github.com/yeka/zip"
)

// TestProvedEntryServesTheSameBytes checks that decrypting the entry
// findPassword proved gives what a fresh open gives, at every cap, and
// that only the proved password and entry are served from it.
func TestProvedEntryServesTheSameBytes(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 10) // 100 bytes
	data := makeZip(t, "Pr0ved!", yzip.AES256Encryption, zipFile{"a.txt", content})
	tests := []struct {
		name     string
		probeMax int64
		max      int64
		want     int
		trunc    bool
	}{
		{"whole entry, cap above", 1 << 20, 1 << 10, 100, false},
		{"whole entry, cap exact", 1 << 20, 100, 100, false},
		{"whole entry, cap below", 1 << 20, 40, 40, true},
		{"probe cut, same cap", 60, 60, 60, true},
		{"probe cut, smaller cap", 60, 30, 30, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := openZip(data)
			if err != nil {
				t.Fatal(err)
			}
			attempts := []attempt{{password: "wrong", source: 0}, {password: "Pr0ved!", source: 0}}
			win, _, err := z.findPassword(attempts, tt.probeMax, func() bool { return false })
			if err != nil || win != 1 {
				t.Fatalf("findPassword = %d, %v", win, err)
			}
			f := z.proved.f
			if f == nil {
				t.Fatal("the winning entry was not kept")
			}
			fresh, freshTrunc, err := z.open(f, "Pr0ved!", tt.max)
			if err != nil {
				t.Fatal(err)
			}
			got, trunc, err := z.openEntry(f, "Pr0ved!", tt.max)
			if err != nil || len(got) != tt.want || trunc != tt.trunc || !bytes.Equal(got, fresh) || trunc != freshTrunc {
				t.Errorf("openEntry = %d bytes, truncated %v, %v; fresh open %d bytes, truncated %v; want %d, %v",
					len(got), trunc, err, len(fresh), freshTrunc, tt.want, tt.trunc)
			}
			if z.proved.f != nil {
				t.Error("the proved entry was kept after use")
			}
		})
	}
	t.Run("another password is not served", func(t *testing.T) {
		z, err := openZip(data)
		if err != nil {
			t.Fatal(err)
		}
		if win, _, _ := z.findPassword([]attempt{{password: "Pr0ved!"}}, 1<<20, func() bool { return false }); win != 0 {
			t.Fatal("password not found")
		}
		if _, _, err := z.openEntry(z.proved.f, "other", 1<<20); err == nil {
			t.Error("a wrong password opened the proved entry")
		}
	})
}
