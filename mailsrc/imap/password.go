package imap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/charmbracelet/x/term"
)

// PasswordEnv is the environment variable consulted first for the password.
const PasswordEnv = "MXAUDIT_IMAP_PASSWORD"

// PasswordSource says where the IMAP password comes from. Resolve tries, in
// order: the environment variable PasswordEnv, File, Command, Prompt. The
// password is never taken from the command line and never appears in an
// error message.
type PasswordSource struct {
	// File is a file whose content (one trailing newline removed) is the
	// password: the config's password_file.
	File string
	// Command is run with "sh -c"; the first line of its standard output
	// is the password: the config's password_command, like mbsync's
	// PassCmd ("pass show mail/quarantine").
	Command string
	// Prompt asks the operator; TerminalPrompt reads with echo off. Nil
	// means no prompt: Resolve fails when nothing else gave a password.
	Prompt func(prompt string) (string, error)
}

// errNoPassword is returned when no source yields a password.
var errNoPassword = errors.New("imap: no password: set " + PasswordEnv + ", password_file or password_command, or run on a terminal to be asked")

// Resolve returns the password from the first source that has one. who
// names the account in the prompt ("ops@imap.example.com").
func (p PasswordSource) Resolve(ctx context.Context, who string) (string, error) {
	if pw, ok := os.LookupEnv(PasswordEnv); ok && pw != "" {
		return pw, nil
	}
	if p.File != "" {
		b, err := os.ReadFile(p.File)
		if err != nil {
			// The path is the operator's own; the content is never quoted.
			return "", fmt.Errorf("imap: password_file: %w", err)
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if pw == "" {
			return "", fmt.Errorf("imap: password_file %s is empty", p.File)
		}
		return pw, nil
	}
	if p.Command != "" {
		pw, err := runSecretCommand(ctx, "password_command", p.Command)
		if err != nil {
			return "", err
		}
		return pw, nil
	}
	if p.Prompt != nil {
		pw, err := p.Prompt(fmt.Sprintf("IMAP password for %s: ", who))
		if err != nil {
			return "", fmt.Errorf("imap: reading the password: %w", err)
		}
		if pw == "" {
			return "", errors.New("imap: empty password")
		}
		return pw, nil
	}
	return "", errNoPassword
}

// runSecretCommand runs command with "sh -c" and returns the first line of
// its output. Its errors quote at most the command's standard error, with
// anything that looks like the secret removed, and never its output.
func runSecretCommand(ctx context.Context, what, command string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = nil
	err := cmd.Run()
	line, _, _ := strings.Cut(stdout.String(), "\n")
	line = strings.TrimSuffix(line, "\r")
	if err != nil {
		return "", fmt.Errorf("imap: %s failed (%v)%s", what, err, stderrNote(stderr.String(), line))
	}
	if line == "" {
		return "", fmt.Errorf("imap: %s printed nothing%s", what, stderrNote(stderr.String(), ""))
	}
	return line, nil
}

// stderrNote quotes the last line of a command's standard error for an
// error message, with secret removed and length bounded.
func stderrNote(stderr, secret string) string {
	stderr = strings.TrimSpace(stderr)
	if stderr == "" {
		return ""
	}
	if i := strings.LastIndexByte(stderr, '\n'); i >= 0 {
		stderr = stderr[i+1:]
	}
	if secret != "" {
		stderr = strings.ReplaceAll(stderr, secret, "[redacted]")
	}
	if len(stderr) > 200 {
		stderr = stderr[:200] + "…"
	}
	return fmt.Sprintf(": %q", stderr)
}

// TerminalPrompt asks for a password on the controlling terminal with echo
// off. It fails when there is no terminal (a cron job, CI), so that a
// scan never hangs waiting for input nobody can give.
func TerminalPrompt(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("no terminal to ask on: %w", err)
	}
	defer tty.Close()
	if !term.IsTerminal(tty.Fd()) {
		return "", errors.New("no terminal to ask on")
	}
	fmt.Fprint(tty, prompt)
	b, err := term.ReadPassword(tty.Fd())
	fmt.Fprintln(tty)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
