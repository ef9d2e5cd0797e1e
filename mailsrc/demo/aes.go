package demo

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
)

// WinZip AES (AE-2, https://www.winzip.com/en/support/aes-encryption/) is
// implemented here rather than through yeka/zip's writer because yeka draws
// the salt from crypto/rand, which cannot be seeded: the demo's archives
// must be byte-for-byte the same on every run. The tests open every archive
// made here with yeka/zip's reader, so the format is checked by an
// independent implementation.

// aesStrength is the AE-x strength byte: 1, 2 or 3 for 128, 192, 256 bits.
type aesStrength byte

// keyLen returns the AES key length in bytes.
func (s aesStrength) keyLen() int { return 8 + 8*int(s) }

// ae2Encrypt encrypts compressed entry data the way WinZip does and returns
// what goes between the local header and the next one: salt, password
// verifier, ciphertext and the 10-byte HMAC-SHA1 authentication code.
// The salt is derived from saltSeed so that it is stable.
func ae2Encrypt(compressed []byte, password string, strength aesStrength, saltSeed string) ([]byte, error) {
	kl := strength.keyLen()
	sum := sha256.Sum256([]byte("mxaudit demo AE-2 salt\x00" + saltSeed))
	salt := sum[:kl/2]
	keys, err := pbkdf2.Key(sha1.New, password, salt, 1000, 2*kl+2)
	if err != nil {
		return nil, fmt.Errorf("ae-2 key derivation: %w", err)
	}
	encKey, authKey, verifier := keys[:kl], keys[kl:2*kl], keys[2*kl:]
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("ae-2 cipher: %w", err)
	}
	out := make([]byte, 0, len(salt)+2+len(compressed)+10)
	out = append(out, salt...)
	out = append(out, verifier...)
	start := len(out)
	out = append(out, compressed...)
	winzipCTR(block, out[start:])
	mac := hmac.New(sha1.New, authKey)
	mac.Write(out[start:])
	return append(out, mac.Sum(nil)[:10]...), nil
}

// winzipCTR XORs buf in place with AES in counter mode as WinZip uses it:
// a 128-bit little-endian counter starting at 1 (not NIST's big-endian
// counter, so crypto/cipher.NewCTR does not fit).
func winzipCTR(block cipher.Block, buf []byte) {
	var ctr, stream [aes.BlockSize]byte
	for off := 0; off < len(buf); off += aes.BlockSize {
		for i := range ctr {
			ctr[i]++
			if ctr[i] != 0 {
				break
			}
		}
		block.Encrypt(stream[:], ctr[:])
		end := min(off+aes.BlockSize, len(buf))
		for i := off; i < end; i++ {
			buf[i] ^= stream[i-off]
		}
	}
}
