package demo

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"
)

// The demo's RSA keys are pasted constants rather than generated at run
// time: RSA key generation cannot be seeded, and the DKIM signatures (and so
// the demo's bytes) must not change from one run to the next. They sign
// mail for made-up domains only and protect nothing.
const rsa2048PEM = `
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA3jizQ9oE4LcsjgiZAh9dgKuXPCHESDSxxUJk0JOq4zoo/0YX
JI1cUpGg1nZK/nap7kkobbqdHQnN/3ZS/797npWiMIyzHx+P0swKbPF1Tu7Cfpr6
zi1lW+Hj3gzQDE5v7pXC91RJg85gA/7YZVZgpvaTvFCWzNIsStbbBLIjJcTyBJHg
g/QIqKqcza8o48zH2PCwh98Kb+XjzQQ8Lu7h5NAQaMbnPJ66e+oYy+mhzqdk/3Gj
ppFiU8X5FZZ1rnhd3SqIWF6QdUedl2yF7jBJIeH7T5hq63J5JmZrpz722WWe8WZe
v89M1xWYVBpx6FHu9d4MtXpx/Ham0S5C/P9t1wIDAQABAoIBACtm55xY+JrrK8iR
5VCEz75RxTf5YFy57f6Y+RfDv5yhv2AcUGjTMzTtPHymnf8VLhtcLok/6W/Cenlq
ostQmtReZU8WK+XoRC7nqyGcB01jVJllq5aZRzKq69Zyqi+9Ih93IJ0t2S3lINum
6pzgQgBaKICfPNTEN+JmFGDWagb2Ev5zc94hVbuRM/9uPY20QvBYzfVvRKN5rtrm
fBEI3vqP32++usf/gPToxF/H7k3300L4tkmQiuXnN4GFDsOhP6iL7YO9hTJKnPju
nfqcyJxAoWbRsSBPNtuqL6VQIdrkZhR3otyviYpaB1rsvpTDMPm0NWdMFPDa5s60
96zhQAECgYEA/C1H294Zv5ajE7DoMnI9bRLMhdqcCSo2WiJBy6J+UOtb206B+TGX
m6LRQCyJ5zSG2Io8F7XixreZ/Y7yi0rARvrQqS5Tlz7eOZD7Y0YY26dok68m04Ih
b/pTrgxfkDLXrhsBZddjQKoiLDBBSLgZK7muyGSzmf1vCqvVmKkw77ECgYEA4Zcp
AwQmDFUXOWtz0q9InyltKRytXQ6t5CKnGa2e905G4zC0uCYFqVHc0g01NQtI2BT4
PdCLo3srZPOCT1X1drAzB8+VCOV0mv6Ht5eOZze6u1FXgzYcF6yxPAPWTDCrXIAK
RAV+e6hmRK5Th+DThyMe9vclo5PVN3lFVnNO4AcCgYEA2F1peEYZxX5TsUNqFk5a
Ucl9XaNxmZN0SuV1mmhzBK7Lg2Dat5pLQCf0baFJOOyifgws/xL53hINt7X8eHLM
gpoUifPLmMtCFBZG+qhcD6qVWZFAON1AHzmiroTDQY+96g4VpvGkoQjYhR1qBiCe
yBtq0VlFl+wQaBGDFJal/CECgYBZ6AuRRyr+yT7LRJbRhcg0nqcBtoslRj9pZ6If
KsHrIAhCbVvo9EZXV+fg0yC8djXe4GSbBi1QxzrhLedmRQTh+5Eq8MEd3YzeZMik
E8POQTirhNySz5LcoJe2KnVSwibZY7Izr9jb4Z54it2Bjsne1tF1bcRTcAyO4kcP
ED+EKwKBgALeDj54Hxj0Fun79hWsjMcIpBDn22qJGSloyZMwfxgQTELMCkfOC2+i
/uJKWpA704dM0NqS84SME74/u/xwTVbD/9wdFklN18MIg8gkIUdoY05EEwDC11VJ
+EiPOkCnT0TzpRYjo2HxgN9E7eQSP9yh4tlDgBcC4+ZB0MxFisA+
-----END RSA PRIVATE KEY-----
`

// rsa1024PEM is the cheaper key the bulk generator signs with: a 1024-bit
// signature costs about a fifth of a 2048-bit one.
const rsa1024PEM = `
-----BEGIN RSA PRIVATE KEY-----
MIICXAIBAAKBgQCvrXdPICAsYxqHVAiUFt7qtIaWQLS0AROS/xKH8xXR+xLecq9w
2m7FFbxMtvsP0wjTnG3DBi4QIv0EvieIpeby0GW+1g7jxmEIkH46TGlfvCBYR1ea
CB056wi3FDY7r5hZiQ2dIU0+VOyKBrccZag8Xq3B53T6aAYhhVeIU6+nuQIDAQAB
AoGAZjKGXqx0qv24GBPFrcikQ2tjhBL+TFz38yKZuCasgewKbQfQkdkwaUycrxAf
e3QsBVZR8AsvTsnb4R9xxiek8pLrScuuSKjxtW/FMMXUUeqodu3SB/k5+jDoaz/v
Tf+hMNl+qoZxRlJRYO89gblkP2qRIy2gbLX/wiwP4nf7WQECQQDkPf85yRxpbdU8
NGSJ+MKviooH/rnGaaivIB8cYyUEMccu9mgj2B9nZ6dP4Azrd9vJbGVSPmGBDfVS
5dB0uKDhAkEAxQrxsHTjHs8nNLYgfOa6SsSYyhS6tnU5iIvy+IMwrRyV1se5bKe5
i2KNJpIUfLh62+5cvt/QQzT0FULySJNp2QJAeUeYPxRmTH9YN01/vvC4Qp7TCbyI
6q1qPORMo8DrAneQ55t3atSEm2WwufjL5LMjzrwSesk69mB8YzhKtDsHAQJAFcCu
i99rj2QpHN2aWo+SM1zezThaoHfygQuKKDs7bXEBbbOg2cjuZ9/aW063Kkmnbo4y
+PN2Z2T6KTq5yp9TiQJBALr/DQIxZdxtIiLsqN5DdLFtQm50WjXqZatA0t+tr0JK
7/mIHEDx1mR0A5IbZYB4gQxqUN4IIUvF+GilMee0H84=
-----END RSA PRIVATE KEY-----
`

// keyKind names one of the demo's signing keys.
type keyKind int

const (
	keyRSA2048 keyKind = iota
	keyRSA1024
	keyEd25519
	keyEd25519Bulk
)

var (
	keysOnce sync.Once
	keyTable map[keyKind]crypto.Signer
)

// signerFor returns the private key of kind k, parsing the constants once.
func signerFor(k keyKind) crypto.Signer {
	keysOnce.Do(func() {
		keyTable = map[keyKind]crypto.Signer{
			keyRSA2048:     mustRSA(rsa2048PEM),
			keyRSA1024:     mustRSA(rsa1024PEM),
			keyEd25519:     ed25519Seeded("mxaudit demo ed25519 key 1"),
			keyEd25519Bulk: ed25519Seeded("mxaudit demo ed25519 key bulk"),
		}
	})
	return keyTable[k]
}

// ed25519Seeded derives an Ed25519 key from a fixed phrase so the key, and
// every signature made with it, is the same on every run.
func ed25519Seeded(phrase string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte(phrase))
	return ed25519.NewKeyFromSeed(seed[:])
}

// mustRSA parses a PEM constant of this file; a failure is a programming
// error caught by every test, so it panics.
func mustRSA(s string) *rsa.PrivateKey {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		panic("demo: bad RSA PEM constant")
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		panic(fmt.Sprintf("demo: bad RSA key constant: %v", err))
	}
	return k
}

// keyRecord returns the DKIM key TXT record (RFC 6376 §3.6.1) publishing
// the public half of key k.
func keyRecord(k keyKind) string {
	switch pub := signerFor(k).Public().(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			panic(fmt.Sprintf("demo: marshal RSA public key: %v", err))
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	}
	panic("demo: unknown key type")
}

// keyAlgorithm returns the a= tag key algorithm of key k.
func keyAlgorithm(k keyKind) string {
	if _, ok := signerFor(k).Public().(ed25519.PublicKey); ok {
		return "ed25519-sha256"
	}
	return "rsa-sha256"
}
