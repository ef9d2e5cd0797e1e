package archive

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/mailsrc/demo/corpus"
)

// FuzzInspect feeds arbitrary bytes to Inspect. The recover in Inspect
// would hide a panic, so an "internal error" counts as a failure here.
func FuzzInspect(f *testing.F) {
	if root, _ := corpus.Root(); root != "" {
		paths, _ := filepath.Glob(filepath.Join(root, "zip", "*", "*"))
		for _, p := range paths {
			// Large seeds make the fuzzer's minimisation crawl.
			if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, ".md") && len(b) <= 64<<10 {
				f.Add(b)
			}
		}
	}
	zip64, _, _ := zip64CompressedOnly(f)
	inner := stdZipBytes(f, file{name: "x.exe", data: []byte("MZ")})
	for _, seed := range [][]byte{
		yekaZipBytes(f, file{name: "a.pdf", data: []byte("secret"), password: "pw", enc: yzip.AES256Encryption},
			file{name: sjis(f, "見積書.pdf"), data: []byte("secret"), password: "pw", enc: yzip.StandardEncryption}),
		stdZipBytes(f, file{name: "inner.zip", data: stdZipBytes(f, file{name: "in2.zip", data: inner})}),
		ooxml(f, true),
		overlapBomb(3),
		quotedOverlap(),
		declaredZip(f, 16, 10<<30),
		zip64,
		nil,
		[]byte("PK\x05\x06"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		a := Inspect(bytes.NewReader(b), int64(len(b)), "fuzz.zip", Limits{})
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("took %v", took)
		}
		if strings.HasPrefix(a.Error, "internal error") {
			t.Fatalf("panic: %s", a.Error)
		}
		if len(a.Entries) > DefaultLimits().MaxEntries || a.TotalEntries < len(a.Entries) {
			t.Errorf("entries %d of %d", len(a.Entries), a.TotalEntries)
		}
		if a.Encrypted != (a.Encryption != "") {
			t.Errorf("encrypted=%v with method %q", a.Encrypted, a.Encryption)
		}
	})
}
