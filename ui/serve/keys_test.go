package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// newKey returns a fresh ed25519 key pair as a signer and its
// authorized_keys line without a comment.
func newKey(t testing.TB) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
}

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

func TestLoadAuthorizedKeys(t *testing.T) {
	s1, k1 := newKey(t)
	s2, k2 := newKey(t)
	fp1, fp2 := gossh.FingerprintSHA256(s1.PublicKey()), gossh.FingerprintSHA256(s2.PublicKey())
	tests := []struct {
		name  string
		text  string
		mode  os.FileMode
		want  map[string]string // fingerprint → name
		warns int
		bad   bool
	}{
		{"comment names", k1 + " alice\n" + k2 + " bob@laptop\n", 0o600, map[string]string{fp1: "alice", fp2: "bob@laptop"}, 0, false},
		{"name option wins", `name="sato",no-pty ` + k1 + " sato@host\n", 0o644, map[string]string{fp1: "sato"}, 0, false},
		{"no name skipped", k1 + "\n# comment\n\n" + k2 + " bob\n", 0o600, map[string]string{fp2: "bob"}, 1, false},
		{"one key two names", k1 + " alice\n" + k1 + " mallory\n", 0o600, map[string]string{}, 1, false},
		{"garbage line", "ssh-ed25519 notbase64 x\n" + k2 + " bob\n", 0o600, map[string]string{fp2: "bob"}, 1, false},
		{"group writable", k1 + " alice\n", 0o620, nil, 0, true},
		{"world writable", k1 + " alice\n", 0o602, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "authorized_keys")
			writeFile(t, path, tt.text, tt.mode)
			ring, warns, err := LoadAuthorizedKeys(path)
			if (err != nil) != tt.bad {
				t.Fatalf("err = %v", err)
			}
			if tt.bad {
				return
			}
			if len(warns) != tt.warns {
				t.Errorf("warnings %q, want %d", warns, tt.warns)
			}
			if len(ring) != len(tt.want) {
				t.Errorf("ring %v, want %v", ring, tt.want)
			}
			for fp, name := range tt.want {
				if ring[fp].Name != name || ring[fp].Fingerprint != fp {
					t.Errorf("%s: %+v, want %s", fp, ring[fp], name)
				}
			}
		})
	}
}

func TestHostKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "host_key")
	s1, generated, err := HostKey(path)
	if err != nil || !generated {
		t.Fatalf("first start: generated %v, err %v", generated, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, err %v", info.Mode(), err)
	}
	if s1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s", s1.PublicKey().Type())
	}
	s2, generated, err := HostKey(path)
	if err != nil || generated || gossh.FingerprintSHA256(s2.PublicKey()) != gossh.FingerprintSHA256(s1.PublicKey()) {
		t.Fatalf("second start: generated %v, err %v", generated, err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, _, err := HostKey(path); err == nil {
			t.Errorf("a host key with mode %o was accepted", mode)
		}
	}
}
