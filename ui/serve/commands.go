package serve

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Commands over SSH ("ssh -p 2222 ops@host scan --json") run the command
// line as the key's operator, on the quarantine, configuration, policy
// and audit log the server was started with. Only the commands and flags
// below are accepted: an operator must not name another file on the
// server (--config, --policy, a SOURCE of their own), and a viewer only
// reads.

// command is one accepted command.
type command struct {
	// words are the command's words ("exception", "list").
	words []string
	// acts is set for commands that change something: viewers may not
	// run them.
	acts bool
	// source: the served SOURCE is appended; desk: the served policy and
	// audit log are passed.
	source, desk bool
	// bools and values are the flags accepted, without or with a value.
	bools, values []string
	// ids is how many numeric arguments (exception IDs) are accepted.
	ids int
}

var commands = []command{
	{words: []string{"scan"}, source: true, bools: []string{"json", "csv"}},
	{words: []string{"stats"}, source: true, bools: []string{"json", "encrypted", "dmarc-fail", "risky"}, values: []string{"filter"}},
	{words: []string{"exception", "list"}, desk: true, bools: []string{"json", "expiring"}, values: []string{"status"}},
	{words: []string{"exception", "add"}, desk: true, acts: true, values: []string{"address", "domain", "kind", "reason", "expires"}},
	{words: []string{"exception", "approve"}, desk: true, acts: true, ids: 1},
	{words: []string{"exception", "revoke"}, desk: true, acts: true, values: []string{"reason"}, ids: 1},
}

// Served is what the server passes to every command.
type Served struct {
	Source, Config, Policy, AuditLog string
}

// errNotAllowed refuses a command, a flag or an argument.
var errNotAllowed = errors.New("not allowed over SSH")

// commandLine checks args (as the client sent them) and returns the
// command line to run: the operator's words and flags, then the served
// files: words, the served flags, the operator's flags and IDs, the
// served SOURCE. viewer refuses the commands that act.
func commandLine(args []string, viewer bool, srv Served) ([]string, error) {
	for _, c := range commands {
		if len(args) < len(c.words) || !equalWords(args[:len(c.words)], c.words) {
			continue
		}
		if c.acts && viewer {
			return nil, fmt.Errorf("%s: viewers may look but not act", strings.Join(c.words, " "))
		}
		rest, err := c.check(args[len(c.words):])
		if err != nil {
			return nil, err
		}
		out := append([]string{}, c.words...)
		if srv.Config != "" {
			out = append(out, "--config", srv.Config)
		}
		if c.desk {
			if srv.Policy != "" {
				out = append(out, "--policy", srv.Policy)
			}
			if srv.AuditLog != "" {
				out = append(out, "--audit-log", srv.AuditLog)
			}
		}
		out = append(out, rest...)
		if c.source {
			out = append(out, srv.Source)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%q: %w (try: scan, stats, exception list|add|approve|revoke)", strings.Join(args, " "), errNotAllowed)
}

// check accepts args when every flag is one of c's (as -f, --f, --f=v
// or --f v) and the only other arguments are up to c.ids exception IDs.
// The IDs are moved after the flags.
func (c command) check(args []string) ([]string, error) {
	var out, ids []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			if _, err := strconv.Atoi(a); err != nil || len(ids) >= c.ids {
				return nil, fmt.Errorf("argument %q: %w", a, errNotAllowed)
			}
			ids = append(ids, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case contains(c.bools, name) && (!hasValue || value == "true" || value == "false"):
			out = append(out, a)
		case contains(c.values, name) && hasValue:
			out = append(out, a)
		case contains(c.values, name) && i+1 < len(args):
			out = append(out, a, args[i+1])
			i++
		default:
			return nil, fmt.Errorf("flag %q: %w", a, errNotAllowed)
		}
	}
	// Flags first, then the IDs: the command line stops at the first
	// argument that is not a flag.
	return append(out, ids...), nil
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
