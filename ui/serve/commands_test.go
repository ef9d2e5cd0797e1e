package serve

import (
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	srv := Served{Source: "/q", Config: "/etc/mxaudit.toml", Policy: "/p.toml", AuditLog: "/a.jsonl"}
	tests := []struct {
		args   string
		viewer bool
		want   string // "" for a refusal
	}{
		{"scan --json", false, "scan --config /etc/mxaudit.toml --json /q"},
		{"scan --json", true, "scan --config /etc/mxaudit.toml --json /q"},
		{"stats --json --filter=zip", true, "stats --config /etc/mxaudit.toml --json --filter=zip /q"},
		{"stats --filter zip", true, "stats --config /etc/mxaudit.toml --filter zip /q"},
		{"exception list --json", true, "exception list --config /etc/mxaudit.toml --policy /p.toml --audit-log /a.jsonl --json"},
		{"exception approve 3", false, "exception approve --config /etc/mxaudit.toml --policy /p.toml --audit-log /a.jsonl 3"},
		{"exception approve 3", true, ""},
		{"exception add --domain x.example --kind dmarc-fail --reason r", true, ""},
		{"exception revoke --reason gone 2", false, "exception revoke --config /etc/mxaudit.toml --policy /p.toml --audit-log /a.jsonl --reason gone 2"},
		{"exception approve 3 4", false, ""},
		{"exception approve ../x", false, ""},
		{"scan --config /etc/passwd", false, ""},
		{"scan /etc", false, ""},
		{"scan -- /etc", false, ""},
		{"release --all --yes", false, ""},
		{"delete 1", false, ""},
		{"audit show", false, ""},
		{"exception export", false, ""},
		{"sh -c id", false, ""},
		{"scan --json=true", true, "scan --config /etc/mxaudit.toml --json=true /q"},
		{"scan --json=/etc/x", true, ""},
	}
	for _, tt := range tests {
		got, err := commandLine(strings.Fields(tt.args), tt.viewer, srv)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%q (viewer %v) was accepted: %q", tt.args, tt.viewer, got)
		case tt.want != "" && err != nil:
			t.Errorf("%q (viewer %v): %v", tt.args, tt.viewer, err)
		case tt.want != "" && strings.Join(got, " ") != tt.want:
			t.Errorf("%q (viewer %v) = %q, want %q", tt.args, tt.viewer, strings.Join(got, " "), tt.want)
		}
	}
}
