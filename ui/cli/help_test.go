package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// TestCommandHelp is item 9 of issue 15: "mxaudit CMD --help" prints a
// usage line, a description and only the command's flags, to stdout,
// exit 0.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		args := append(strings.Fields(c.name), "--help")
		code, out, errOut := runMain(t, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: mxaudit "+c.name) {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", args, code, errOut, out)
		}
	}
	_, out, _ := runMain(t, "check", "--help")
	if strings.Contains(out, "--no-ppap") || strings.Contains(out, "--workers") || !strings.Contains(out, "--selector") {
		t.Errorf("check --help lists flags check does not use:\n%s", out)
	}
	_, out, _ = runMain(t, "scan", "-h")
	if !strings.Contains(out, "--json") || !strings.Contains(out, "--utc") {
		t.Errorf("scan -h:\n%s", out)
	}
}

func TestCompletionAndMan(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -o default -F _mxaudit mxaudit", "zsh": "#compdef mxaudit",
		"fish": "complete -c mxaudit -n '__fish_seen_subcommand_from check' -l selector"} {
		code, out, _ := runMain(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, lacks %q:\n%s", shell, code, want, out)
		}
	}
	if code, _, errOut := runMain(t, "completion", "tcsh"); code != ExitUsage || !strings.Contains(errOut, "bash, zsh or fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, errOut)
	}
	code, out, _ := runMain(t, "man")
	if code != 0 || !strings.Contains(out, ".SH COMMANDS") || !strings.Contains(out, `.B \-\-selector`) {
		t.Errorf("man: exit %d:\n%s", code, out)
	}
}

// TestScanTableHasIDs: "release SOURCE ID" needs the IDs the table shows.
func TestScanTableHasIDs(t *testing.T) {
	code, out, errOut := runMain(t, "demo", "--table")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[1], ".demo ") {
		t.Errorf("table:\n%s", strings.Join(lines[:3], "\n"))
	}
}
