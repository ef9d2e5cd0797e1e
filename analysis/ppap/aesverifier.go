package ppap

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
)

// WinZip AES derives 2*keyLen+2 bytes from the password and the entry's
// salt with PBKDF2-HMAC-SHA1 (1000 iterations): the AES key, the HMAC
// key, then the 2-byte password verifier that is stored after the salt.
// PBKDF2 derives its output in independent 20-byte blocks, and the
// verifier always lies inside one of them (bytes 64-65 of AES-256 in
// block 4 of 4, 48-49 of AES-192 in block 3 of 3, 32-33 of AES-128 in
// block 2 of 2). Deriving that block alone refuses a wrong password at a
// quarter (AES-256) to a half (AES-128) of the full derivation's cost;
// only a password that passes (all right ones, and 1 wrong one in 65,536)
// goes on to yeka/zip, which derives every key and checks the HMAC.

// pbkdf2SHA1Block is block i (from 1) of PBKDF2-HMAC-SHA1(password, salt,
// iter), as RFC 8018 defines it: U1 = PRF(salt || INT(i)), Uj =
// PRF(Uj-1), the block the XOR of U1..Uiter.
func pbkdf2SHA1Block(password, salt []byte, iter int, i uint32) [sha1.Size]byte {
	prf := hmac.New(sha1.New, password)
	prf.Write(salt)
	var idx [4]byte
	binary.BigEndian.PutUint32(idx[:], i)
	prf.Write(idx[:])
	u := prf.Sum(nil)
	var t [sha1.Size]byte
	copy(t[:], u)
	for range iter - 1 {
		prf.Reset()
		prf.Write(u)
		u = prf.Sum(u[:0])
		for k := range t {
			t[k] ^= u[k]
		}
	}
	return t
}

// aesVerifierMatches reports whether password derives the verifier stored
// with an AES entry's data (salt, then verifier). keyLen is the AES key
// length in bytes (16, 24 or 32); data must hold at least the salt
// (keyLen/2 bytes) and the verifier.
func aesVerifierMatches(password string, keyLen int, data []byte) bool {
	saltLen := keyLen / 2
	if len(data) < saltLen+2 {
		return false
	}
	salt, stored := data[:saltLen], data[saltLen:saltLen+2]
	at := 2 * keyLen // the verifier's offset in the derived bytes
	block := pbkdf2SHA1Block([]byte(password), salt, 1000, uint32(at/sha1.Size+1))
	k := at % sha1.Size
	return block[k] == stored[0] && block[k+1] == stored[1]
}
