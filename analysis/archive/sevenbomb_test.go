package archive

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz/lzma"

	"mxaudit/model"
)

// sevenNumber writes a 7z NUMBER in its 9-byte form (7zFormat.txt,
// "UINT64 means real UINT64 encoded with the following scheme": first
// byte 0xFF, then 8 bytes little-endian).
func sevenNumber(b []byte, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(append(b, 0xFF), v)
}

// sevenHeaderBomb builds a 7z whose header is kEncodedHeader: one LZMA
// folder that unpacks to n zero bytes from a few hundred packed ones, the
// decoder bomb of review finding 10.
func sevenHeaderBomb(t testing.TB, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := lzma.WriterConfig{DictCap: 1 << 16}.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	classic := buf.Bytes() // props(1) dict(4) size(8) stream
	props, packed := classic[:5], classic[13:]

	h := []byte{k7zEncodedHeader, k7zPackInfo}
	h = sevenNumber(h, 0) // pack position
	h = sevenNumber(h, 1) // one pack stream
	h = append(h, k7zSize)
	h = sevenNumber(h, uint64(len(packed)))
	h = append(h, k7zEnd, k7zUnpackInfo, k7zFolder)
	h = sevenNumber(h, 1)                                 // one folder
	h = append(h, 0)                                      // not external
	h = sevenNumber(h, 1)                                 // one coder
	h = append(h, byte(len(coderLZMA))|0x20)              // id size, has properties
	h = append(append(h, coderLZMA...), byte(len(props))) // id, properties size
	h = append(h, props...)
	h = append(h, k7zCodersUnpackSize)
	h = sevenNumber(h, uint64(n))
	h = append(h, k7zEnd, k7zEnd)

	start := binary.LittleEndian.AppendUint64(nil, uint64(len(packed)))
	start = binary.LittleEndian.AppendUint64(start, uint64(len(h)))
	start = binary.LittleEndian.AppendUint32(start, crc32.ChecksumIEEE(h))
	out := append([]byte(sig7z), 0, 4)
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(start))
	return cat(out, start, packed, h)
}

// TestInspect7zHeaderBomb: an encoded header that unpacks far beyond its
// packed size is refused before decoding; one within the ratio is charged
// to the decompression budget, and past the budget it is not decoded but
// not-inspected (review finding 10).
func TestInspect7zHeaderBomb(t *testing.T) {
	bomb := sevenHeaderBomb(t, 8<<20)
	begin := time.Now()
	a := inspectBytes(bomb)
	if took := time.Since(begin); took > 200*time.Millisecond {
		t.Errorf("took %v", took)
	}
	if !strings.Contains(a.Error, "bomb") || !slices.Contains(a.Risks, model.RiskBrokenArchive) {
		t.Errorf("8 MiB from %d bytes: error %q, risks %v", len(bomb), a.Error, a.Risks)
	}

	small := sevenHeaderBomb(t, 100_000)
	a = Inspect(bytes.NewReader(small), int64(len(small)), "small.7z", Limits{MaxTotalDecompressed: 50_000})
	if !a.Truncated || !slices.Contains(a.Risks, model.RiskNotInspected) {
		t.Errorf("past the budget: truncated %v, risks %v, error %q", a.Truncated, a.Risks, a.Error)
	}
	in := newInspector(Limits{})
	inspect7z(bytes.NewReader(small), int64(len(small)), 100, &in.decompressLeft)
	if spent := in.lim.MaxTotalDecompressed - in.decompressLeft; spent != 100_000 {
		t.Errorf("budget charged %d, want 100000", spent)
	}
}
