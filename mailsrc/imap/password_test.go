package imap

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSecret = "s3cret-Pa55"

func TestPasswordResolveOrder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	prompt := func(string) (string, error) { return "from-prompt", nil }
	tests := []struct {
		name string
		env  string
		src  PasswordSource
		want string
	}{
		{"env wins over everything", "from-env", PasswordSource{File: file, Command: "echo from-cmd", Prompt: prompt}, "from-env"},
		{"file before command", "", PasswordSource{File: file, Command: "echo from-cmd", Prompt: prompt}, "from-file"},
		{"command first line", "", PasswordSource{Command: "printf 'from-cmd\\nsecond\\n'", Prompt: prompt}, "from-cmd"},
		{"prompt last", "", PasswordSource{Prompt: prompt}, "from-prompt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PasswordEnv, tt.env)
			got, err := tt.src.Resolve(context.Background(), "ops@h")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPasswordErrorsNeverContainThePassword(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	tests := []struct {
		name string
		src  PasswordSource
		want string
	}{
		{"nothing configured", PasswordSource{}, PasswordEnv},
		{"missing file", PasswordSource{File: filepath.Join(dir, "nope")}, "password_file"},
		{"empty file", PasswordSource{File: empty}, "empty"},
		{"failing command echoing the secret", PasswordSource{Command: "echo " + testSecret + "; echo oops " + testSecret + " >&2; exit 3"}, "exit status 3"},
		{"command printing nothing", PasswordSource{Command: "true"}, "printed nothing"},
		{"prompt fails", PasswordSource{Prompt: func(string) (string, error) { return "", errors.New("no tty") }}, "no tty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PasswordEnv, "")
			_, err := tt.src.Resolve(context.Background(), "ops@h")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("err leaks the password: %v", err)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := secret(testSecret)
	for _, got := range []string{s.String(), s.GoString()} {
		if strings.Contains(got, testSecret) {
			t.Fatalf("secret printed: %s", got)
		}
	}
}
