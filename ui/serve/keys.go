package serve

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	gossh "golang.org/x/crypto/ssh"
)

// Identity is who a key belongs to: the operator's name and the key's
// SHA256 fingerprint, as the audit log records them.
type Identity struct {
	Name        string
	Fingerprint string
}

// KeyRing is the parsed authorized_keys file: fingerprint to identity.
type KeyRing map[string]Identity

// LoadAuthorizedKeys reads path, an authorized_keys file in OpenSSH
// format. A key's name="…" option, or else its comment, is the
// operator's name; a key with neither is skipped with a warning, since
// the audit log must name someone. The file is refused when group or
// others may write it: whoever can write it can become any operator.
// It is read again for every connection, so that removing a line
// revokes a key without a restart.
func LoadAuthorizedKeys(path string) (KeyRing, []string, error) {
	if err := checkNotWritableByOthers(path); err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("authorized keys: %w", err)
	}
	ring := KeyRing{}
	var warnings []string
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s:%d: %v", path, n+1, err))
			continue
		}
		name := nameOption(options)
		if name == "" {
			name = strings.TrimSpace(comment)
		}
		if err := checkName(name); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s:%d: %v: key skipped", path, n+1, err))
			continue
		}
		fp := gossh.FingerprintSHA256(key)
		if prev, dup := ring[fp]; dup && prev.Name != name {
			// One key, two names: which one acted could not be told.
			warnings = append(warnings, fmt.Sprintf("%s:%d: key %s is already %q: key skipped", path, n+1, fp, prev.Name))
			delete(ring, fp)
			continue
		}
		ring[fp] = Identity{Name: name, Fingerprint: fp}
	}
	return ring, warnings, nil
}

// nameOption returns the value of a name="…" option, or "".
func nameOption(options []string) string {
	for _, o := range options {
		k, v, ok := strings.Cut(o, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "name") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// checkName refuses names the audit log and the two-person rule cannot
// use: empty, too long, or with control characters.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("no name: give the key a comment or a name=\"…\" option")
	case len(name) > 64:
		return errors.New("name longer than 64 bytes")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("control character in the name")
	}
	return nil
}

// checkNotWritableByOthers refuses a file that group or others may
// write (or that is not a regular file).
func checkNotWritableByOthers(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("authorized keys %s: not a regular file", path)
	}
	if info.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("authorized keys %s: writable by group or others (mode %o): chmod go-w %s", path, info.Mode().Perm(), path)
	}
	return nil
}
