package ppap

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	yzip "github.com/yeka/zip"
)

// TestPBKDF2BlockIsTheStandardOne: each block derived alone equals that
// block of the whole derivation (crypto/pbkdf2), for every strength's
// length.
func TestPBKDF2BlockIsTheStandardOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 20 {
		password := fmt.Sprintf("パスワード%d", rng.Uint64())
		salt := make([]byte, 8+4*(n%3))
		for i := range salt {
			salt[i] = byte(rng.Uint32())
		}
		full, err := pbkdf2.Key(sha1.New, password, salt, 1000, 66)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i*sha1.Size < len(full); i++ {
			got := pbkdf2SHA1Block([]byte(password), salt, 1000, uint32(i+1))
			want := full[i*sha1.Size : min(len(full), (i+1)*sha1.Size)]
			if !bytes.Equal(got[:len(want)], want) {
				t.Fatalf("password %q, block %d: %x, want %x", password, i+1, got, want)
			}
		}
	}
}

// TestAESQuickCheckAgreesWithYeka: for archives yeka/zip writes at every
// AES strength, the right password passes the quick check and opens the
// entry; and for 300 wrong passwords per strength, the quick check never
// refuses a password yeka/zip accepts, and open answers as yeka/zip does.
func TestAESQuickCheckAgreesWithYeka(t *testing.T) {
	const right = "Ky7#mQ2z"
	content := bytes.Repeat([]byte("見積書 quotation\n"), 50)
	for _, enc := range []yzip.EncryptionMethod{yzip.AES128Encryption, yzip.AES192Encryption, yzip.AES256Encryption} {
		t.Run(fmt.Sprint(enc), func(t *testing.T) {
			var buf bytes.Buffer
			w := yzip.NewWriter(&buf)
			fw, err := w.Encrypt("見積書.txt", right, enc)
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(content)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			z, err := openZip(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			f := z.files[0]
			m := entryMethod(f)
			if !m.aes || 2*m.saltLen != map[yzip.EncryptionMethod]int{yzip.AES128Encryption: 16, yzip.AES192Encryption: 24, yzip.AES256Encryption: 32}[enc] {
				t.Fatalf("method %+v", m)
			}
			passwords := []string{right, "", right + " ", "ky7#mQ2z"}
			rng := rand.New(rand.NewPCG(uint64(enc), 3))
			for range 300 {
				passwords = append(passwords, fmt.Sprintf("%08x", rng.Uint32()))
			}
			for _, pw := range passwords {
				yekaOK := yekaOpens(t, buf.Bytes(), pw, content)
				quick := z.aesVerifierOK(f, m, pw)
				if yekaOK && !quick {
					t.Fatalf("password %q: yeka/zip opens the entry, the quick check refuses it", pw)
				}
				data, _, err := z.open(f, pw, 1<<20)
				if opened := err == nil && bytes.Equal(data, content); opened != yekaOK {
					t.Fatalf("password %q: open %v (%v), yeka/zip %v", pw, opened, err, yekaOK)
				}
				if err != nil && !errors.Is(err, errWrongPassword) {
					t.Fatalf("password %q: %v", pw, err)
				}
			}
			if !z.aesVerifierOK(f, m, right) {
				t.Fatal("the right password fails the quick check")
			}
		})
	}
}

// yekaOpens reports whether yeka/zip alone opens the archive's only entry
// with password and yields want.
func yekaOpens(t testing.TB, data []byte, password string, want []byte) bool {
	t.Helper()
	r, err := yzip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f := r.File[0]
	f.SetPassword(password)
	f.DeferAuth = false
	rc, err := f.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	return err == nil && bytes.Equal(got, want)
}

// BenchmarkWrongAESPassword is one wrong password tried on an AES-256
// entry: the quick check alone, against yeka/zip's full derivation.
func BenchmarkWrongAESPassword(b *testing.B) {
	var buf bytes.Buffer
	w := yzip.NewWriter(&buf)
	fw, _ := w.Encrypt("a.txt", "right", yzip.AES256Encryption)
	fw.Write([]byte("content"))
	w.Close()
	z, err := openZip(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("quick-check", func(b *testing.B) {
		for b.Loop() {
			z.open(z.files[0], "wrong", 1<<20)
		}
	})
	b.Run("yeka-zip", func(b *testing.B) {
		for b.Loop() {
			yekaOpens(b, buf.Bytes(), "wrong", nil)
		}
	})
}
