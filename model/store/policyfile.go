package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"mxaudit/model"
)

// policyTOML is the policy file's layout; see docs/exceptions.md.
type policyTOML struct {
	NextID    int             `toml:"next_id"`
	Exception []exceptionTOML `toml:"exception"`
}

type exceptionTOML struct {
	ID             int       `toml:"id"`
	Scope          string    `toml:"scope"`
	Value          string    `toml:"value"`
	Kinds          []string  `toml:"kinds"`
	Reason         string    `toml:"reason"`
	RequestedBy    string    `toml:"requested_by"`
	RequestedFrom  string    `toml:"requested_from"`
	Created        time.Time `toml:"created"`
	ApprovedBy     string    `toml:"approved_by"`
	ApprovedFrom   string    `toml:"approved_from"`
	Approved       time.Time `toml:"approved"`
	ApprovalRecord string    `toml:"approval_record"`
	Expires        time.Time `toml:"expires"`
	RevokedBy      string    `toml:"revoked_by"`
	Revoked        time.Time `toml:"revoked"`
	RevokeReason   string    `toml:"revoke_reason"`
	Hits           int       `toml:"hits"`
	LastHit        time.Time `toml:"last_hit"`
}

// parsePolicy decodes a policy file. Errors name the file and the line:
// a TOML syntax error, an unknown key, or an invalid exception (located
// by its [[exception]] header).
func parsePolicy(path string, data []byte) (model.Policy, error) {
	var f policyTOML
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return model.Policy{}, fmt.Errorf("policy %s: line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return model.Policy{}, fmt.Errorf("policy %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return model.Policy{}, fmt.Errorf("policy %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	p := model.Policy{NextID: f.NextID, Exceptions: make([]model.Exception, len(f.Exception))}
	for i, t := range f.Exception {
		e := model.Exception{
			ID: t.ID, Scope: model.ExceptionScope(t.Scope), Value: t.Value, Reason: t.Reason,
			RequestedBy: t.RequestedBy, RequestedFrom: t.RequestedFrom, Created: t.Created,
			ApprovedBy: t.ApprovedBy, ApprovedFrom: t.ApprovedFrom, Approved: t.Approved, ApprovalRecord: t.ApprovalRecord,
			Expires: t.Expires, RevokedBy: t.RevokedBy, Revoked: t.Revoked, RevokeReason: t.RevokeReason,
			Hits: t.Hits, LastHit: t.LastHit,
		}
		for _, k := range t.Kinds {
			e.Kinds = append(e.Kinds, model.ExceptionKind(k))
		}
		p.Exceptions[i] = e
	}
	if err := p.Validate(); err != nil {
		var xerr *model.ExceptionError
		if errors.As(err, &xerr) {
			if line := exceptionLine(data, xerr.Index); line > 0 {
				return model.Policy{}, fmt.Errorf("policy %s: line %d: %w", path, line, err)
			}
		}
		return model.Policy{}, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// exceptionLine returns the line number of the index-th (0-based)
// [[exception]] header in data, 0 when there is none.
func exceptionLine(data []byte, index int) int {
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if hash := strings.IndexByte(line, '#'); hash >= 0 {
			line = strings.TrimSpace(line[:hash])
		}
		if strings.HasPrefix(line, "[[") && strings.HasSuffix(line, "]]") &&
			strings.TrimSpace(line[2:len(line)-2]) == "exception" {
			if n == index {
				return i + 1
			}
			n++
		}
	}
	return 0
}

const policyHeader = `# mxaudit exception policy. Written by "mxaudit exception add|approve|revoke"
# (atomically, under a lock); review it and keep it in git. Hand edits are
# allowed but checked on every load: a malformed file stops mxaudit with the
# line, an approval that breaks the two-person rule shows as "invalid", and
# one that is not bound to its audit record (approval_record) as "unverified".
# Format: docs/exceptions.md.
`

// encodePolicy writes p in a fixed layout: keys in a fixed order, empty
// optional keys left out, times in UTC to the second, so that a change
// shows in a diff as the lines it changed.
func encodePolicy(p *model.Policy) []byte {
	var b bytes.Buffer
	b.WriteString(policyHeader)
	fmt.Fprintf(&b, "\nnext_id = %d\n", max(p.NextID, 1))
	for i := range p.Exceptions {
		e := &p.Exceptions[i]
		b.WriteString("\n[[exception]]\n")
		fmt.Fprintf(&b, "id = %d\n", e.ID)
		str(&b, "scope", string(e.Scope), true)
		str(&b, "value", e.Value, true)
		kinds := make([]string, len(e.Kinds))
		for j, k := range e.Kinds {
			kinds[j] = tomlString(string(k))
		}
		fmt.Fprintf(&b, "kinds = [%s]\n", strings.Join(kinds, ", "))
		str(&b, "reason", e.Reason, true)
		str(&b, "requested_by", e.RequestedBy, true)
		str(&b, "requested_from", e.RequestedFrom, false)
		stamp(&b, "created", e.Created)
		str(&b, "approved_by", e.ApprovedBy, false)
		str(&b, "approved_from", e.ApprovedFrom, false)
		stamp(&b, "approved", e.Approved)
		str(&b, "approval_record", e.ApprovalRecord, false)
		stamp(&b, "expires", e.Expires)
		str(&b, "revoked_by", e.RevokedBy, false)
		stamp(&b, "revoked", e.Revoked)
		str(&b, "revoke_reason", e.RevokeReason, false)
		if e.Hits > 0 {
			fmt.Fprintf(&b, "hits = %d\n", e.Hits)
		}
		stamp(&b, "last_hit", e.LastHit)
	}
	return b.Bytes()
}

func str(b *bytes.Buffer, key, value string, always bool) {
	if value != "" || always {
		fmt.Fprintf(b, "%s = %s\n", key, tomlString(value))
	}
}

func stamp(b *bytes.Buffer, key string, t time.Time) {
	if !t.IsZero() {
		fmt.Fprintf(b, "%s = %s\n", key, t.UTC().Format(time.RFC3339))
	}
}

// tomlString quotes s as a TOML basic string: backslash, quote and every
// control character escaped, everything else kept as UTF-8.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
