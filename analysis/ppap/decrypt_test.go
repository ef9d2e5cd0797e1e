package ppap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/analysis/archive"
	"mxaudit/model"
)

func TestOpenMethods(t *testing.T) {
	content := []byte("Quotation 2026-11: 1,234,000 JPY\n")
	methods := []struct {
		name string
		m    yzip.EncryptionMethod
	}{
		{"zipcrypto", yzip.StandardEncryption},
		{"aes128", yzip.AES128Encryption},
		{"aes192", yzip.AES192Encryption},
		{"aes256", yzip.AES256Encryption},
	}
	for _, mt := range methods {
		t.Run(mt.name, func(t *testing.T) {
			z, err := openZip(makeZip(t, "Xk7#pQ2m", mt.m, zipFile{"a.txt", content}))
			if err != nil {
				t.Fatal(err)
			}
			f, err := z.probe()
			if err != nil {
				t.Fatal(err)
			}
			got, truncated, err := z.open(f, "Xk7#pQ2m", 1<<20)
			if err != nil || truncated || !bytes.Equal(got, content) {
				t.Fatalf("right password: %q, %v, %v", got, truncated, err)
			}
			if _, _, err := z.open(f, "Xk7#pQ2n", 1<<20); !errors.Is(err, errWrongPassword) {
				t.Errorf("wrong password: err = %v", err)
			}
		})
	}
}

// TestWrongPasswordsNeverAccepted tries many wrong passwords: about one in
// 256 passes the ZipCrypto header check, and the CRC (or the deflate
// stream) must then reject it.
func TestWrongPasswordsNeverAccepted(t *testing.T) {
	for _, m := range []yzip.EncryptionMethod{yzip.StandardEncryption, yzip.AES256Encryption} {
		z, err := openZip(makeZip(t, "right-one", m, zipFile{"doc.txt", bytes.Repeat([]byte("PPAP "), 400)}))
		if err != nil {
			t.Fatal(err)
		}
		f, _ := z.probe()
		n := 3000
		if m != yzip.StandardEncryption {
			n = 300 // PBKDF2 per attempt
		}
		passedHeader := 0
		for i := range n {
			pw := fmt.Sprintf("wrong-%d", i)
			if m == yzip.StandardEncryption && z.zipCryptoHeaderOK(f, pw) {
				passedHeader++
			}
			if _, _, err := z.open(f, pw, 1<<20); !errors.Is(err, errWrongPassword) {
				t.Fatalf("method %d: %q accepted (err %v)", m, pw, err)
			}
		}
		if m == yzip.StandardEncryption && passedHeader == 0 {
			t.Errorf("no wrong password passed the 1/256 header check in %d tries: the CRC confirmation went untested", n)
		}
	}
}

// pairOne runs Pair on a ZIP mail and its candidate mails, built from
// test mails, and returns the analysed ZIP message.
func pairOne(t *testing.T, cfg Config, zipMail testMail, others ...testMail) (model.Message, []Link) {
	t.Helper()
	src := memSource{}
	an := analysis.New(analysis.Config{})
	ctx := context.Background()
	analyse := func(id string, tm testMail) model.Message {
		raw := rawMail(tm)
		src[model.MessageID(id)] = raw
		return an.Analyze(ctx, model.MessageID(id), bytes.NewReader(raw))
	}
	m := analyse("zip", zipMail)
	self := RefOf(&m, 0)
	var cands []*Ref
	for i, o := range others {
		om := analyse(fmt.Sprintf("pw%d", i+1), o)
		cands = append(cands, RefOf(&om, i+1))
	}
	links := NewPairer(cfg, src.open).Pair(ctx, &m, self, cands)
	return m, links
}

func TestCappedAttempts(t *testing.T) {
	zipBytes := makeZip(t, "Right#2026", yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")})
	zm := testMail{from: "a@x.example", to: "b@y.example", subject: "資料", date: t0, msgID: "<z@x>", text: "資料です", zipName: "a.zip", zip: zipBytes}
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("PW: Wrong#%02d", i))
	}
	lines = append(lines, "PW: Right#2026")
	pm := testMail{from: "a@x.example", to: "b@y.example", subject: "パスワード", date: t0.Add(2 * 60e9), msgID: "<p@x>", text: joinLines(lines)}

	m, links := pairOne(t, Config{MaxAttempts: 20}, zm, pm)
	arc := m.Attachments[0].Archive
	if arc.Decrypted || len(links) != 0 || arc.PasswordAttempts != 20 {
		t.Errorf("cap 20: decrypted %v, %d attempts, links %v", arc.Decrypted, arc.PasswordAttempts, links)
	}
	m, links = pairOne(t, Config{MaxAttempts: 40}, zm, pm)
	arc = m.Attachments[0].Archive
	if !arc.Decrypted || len(links) != 1 || arc.PasswordAttempts != 31 || arc.PasswordSource != "pw1" {
		t.Errorf("cap 40: decrypted %v, %d attempts, source %q", arc.Decrypted, arc.PasswordAttempts, arc.PasswordSource)
	}
}

func joinLines(l []string) string {
	var b bytes.Buffer
	for _, s := range l {
		b.WriteString(s + "\r\n")
	}
	return b.String()
}

func TestDecryptedBombLimits(t *testing.T) {
	big := make([]byte, 8<<20) // 8 MiB of zeros: a few KiB compressed
	zipBytes := makeZip(t, "pw-1234", yzip.AES256Encryption, zipFile{"a.bin", big}, zipFile{"b.bin", big})
	zm := testMail{from: "a@x.example", to: "b@y.example", subject: "s", date: t0, msgID: "<z@x>", text: "PW: pw-1234", zipName: "a.zip", zip: zipBytes}

	tests := []struct {
		name          string
		cfg           Config
		bomb, trunc   bool
		decryptedEach []bool
	}{
		{"within limits", Config{}, false, false, []bool{true, true}},
		{"total budget", Config{Archive: archive.Limits{MaxTotalDecompressed: 10 << 20}}, true, true, []bool{true, true}},
		{"entry cap", Config{MaxEntryBytes: 1 << 20}, false, true, []bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// These are the byte limits' cases: the time budget must not
			// stop 16 MiB of inflating on a loaded machine (or under -race).
			tt.cfg.Budget = time.Minute
			m, _ := pairOne(t, tt.cfg, zm)
			arc := m.Attachments[0].Archive
			if !arc.Decrypted || arc.PasswordSource != "zip" {
				t.Fatalf("not opened: %+v", arc)
			}
			if got := slices.Contains(arc.Risks, model.RiskBomb); got != tt.bomb {
				t.Errorf("bomb = %v, want %v (risks %v)", got, tt.bomb, arc.Risks)
			}
			if arc.Truncated != tt.trunc {
				t.Errorf("truncated = %v, want %v", arc.Truncated, tt.trunc)
			}
			for i, want := range tt.decryptedEach {
				if arc.Entries[i].Decrypted != want {
					t.Errorf("entry %d decrypted = %v", i, arc.Entries[i].Decrypted)
				}
			}
		})
	}
}

func TestInsideFindings(t *testing.T) {
	mz := append([]byte("MZ\x90\x00"), make([]byte, 200)...)
	inner := makeZip(t, "same-pw", yzip.AES256Encryption, zipFile{"invoice.pdf.exe", mz})
	outer := makeZip(t, "same-pw", yzip.StandardEncryption, zipFile{"readme.txt", []byte("hi")}, zipFile{"docs.zip", inner})
	zm := testMail{from: "a@x.example", to: "b@y.example", subject: "見積書", date: t0, msgID: "<z@x>", text: "別途", zipName: "見積書.zip", zip: outer}
	pm := testMail{from: "a@x.example", to: "b@y.example", subject: "Re: 見積書", date: t0.Add(60e9), msgID: "<p@x>", text: "パスワードは「same-pw」です"}
	m, links := pairOne(t, Config{}, zm, pm)
	arc := m.Attachments[0].Archive
	if !arc.Decrypted || len(links) != 1 || links[0].PasswordMail != "pw1" {
		t.Fatalf("not paired: %+v links %v", arc, links)
	}
	nested := arc.Entries[1].Archive
	if nested == nil || !nested.Decrypted || !nested.Entries[0].Decrypted {
		t.Fatalf("nested archive not opened: %+v", nested)
	}
	for _, r := range []model.Risk{model.RiskExecutable, model.RiskDoubleExtension, model.RiskNestedArchive} {
		if !slices.Contains(m.Attachments[0].Risks, r) {
			t.Errorf("risk %s missing: %v", r, m.Attachments[0].Risks)
		}
	}
	if m.Verdict.Attachment != model.AttachmentRisky || len(m.Verdict.Reasons) == 0 ||
		!bytes.Contains([]byte(m.Verdict.Reasons[0]), []byte("contents risky")) {
		t.Errorf("verdict %s %q", m.Verdict.Attachment, m.Verdict.Reasons)
	}
}

// TestHostileArchives mutates an encrypted archive at random: pairing must
// neither panic nor hang, whatever the bytes.
func TestHostileArchives(t *testing.T) {
	base := makeZip(t, "pw-1234", yzip.StandardEncryption, zipFile{"a.txt", bytes.Repeat([]byte("abc"), 100)}, zipFile{"b.zip", makeZip(t, "pw-1234", yzip.AES128Encryption, zipFile{"c", []byte("x")})})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 1500 {
		data := bytes.Clone(base)
		for range 1 + rng.IntN(6) {
			data[rng.IntN(len(data))] = byte(rng.Uint32())
		}
		if i%5 == 0 {
			data = data[:rng.IntN(len(data))]
		}
		z, err := openZip(data)
		if err != nil {
			continue
		}
		arc := archive.Inspect(bytes.NewReader(data), int64(len(data)), "x.zip", archive.Limits{})
		cfg := Config{}.withDefaults()
		o := &opening{ctx: context.Background(), cfg: &cfg, budget: 1 << 20, attempts: []attempt{{password: "pw-1234"}}, triesLeft: 3}
		if idx, _, err := z.findPassword(o.attempts, 1<<20, o.expired); err == nil && idx >= 0 {
			o.decryptInto(z, arc, "pw-1234", 0)
		}
	}
}
