package model

import (
	"errors"
	"net/netip"
	"strings"
)

// Operator is who runs mxaudit: the OS user and, over SSH, the client
// address. It is what the audit log and the exception records name.
type Operator struct {
	User string
	// SSHClient is the first field of SSH_CONNECTION ("" when not over
	// SSH): reported by the environment, which the user controls, so it
	// is shown as such (SSHLabel) and never decides anything.
	SSHClient string
	// FromEnv is set when the OS could not name the user and User was
	// taken from $USER, which anyone can set: such an identity may request
	// but not approve or override.
	FromEnv bool
	// Key is the SHA256 fingerprint of the SSH key the operator
	// authenticated with to "mxaudit serve"; "" for a local operator.
	// Two keys may carry the same name: the two-person rule compares
	// names (User), so that one person with two keys is still one person.
	Key string
	// ReadOnly marks a viewer: someone who may look but never act. The
	// policy and the action service refuse every change by a read-only
	// operator, whatever the front end shows.
	ReadOnly bool
}

// ErrReadOnly is the refusal of any change asked for by a viewer.
var ErrReadOnly = errors.New("viewers may look but not act: ask an operator")

// UnknownUser is the user name when neither the OS nor $USER names one.
const UnknownUser = "unknown"

// CurrentOperator works out the operator from the OS user name (osUser,
// from a user-database lookup done by the caller; "" when that failed)
// and the environment: $USER as a fallback and SSH_CONNECTION for the
// client address. It does no I/O itself.
func CurrentOperator(getenv func(string) string, osUser string) Operator {
	op := Operator{User: strings.TrimSpace(osUser)}
	if op.User == "" {
		op.User = strings.TrimSpace(getenv("USER"))
		op.FromEnv = true
	}
	if op.User == "" || checkText("user", op.User, true) != nil {
		op.User, op.FromEnv = UnknownUser, true
	}
	op.SSHClient = sshClient(getenv("SSH_CONNECTION"))
	return op
}

// sshClient returns the client address of an SSH_CONNECTION value
// ("client_ip client_port server_ip server_port"), or "" when it is
// absent or not an IP address.
func sshClient(conn string) string {
	fields := strings.Fields(conn)
	if len(fields) == 0 {
		return ""
	}
	addr, err := netip.ParseAddr(fields[0])
	if err != nil {
		return ""
	}
	return addr.String()
}

// FromEnvMark follows a user name taken from $USER wherever it is
// stored (the audit log, the policy file), so that nobody reads it as an
// identity the OS confirmed.
const FromEnvMark = " (from $USER)"

// Identity is the name as it is recorded: User, marked with FromEnvMark
// when it comes from $USER.
func (o Operator) Identity() string {
	if o.FromEnv {
		return o.User + FromEnvMark
	}
	return o.User
}

// SSHLabel words an SSH client address for people, saying where it comes
// from: "SSH 192.0.2.7, reported by the environment"; "" for none.
func SSHLabel(addr string) string {
	if addr == "" {
		return ""
	}
	return "SSH " + addr + ", reported by the environment"
}

// String names the operator for people: "tanaka", "tanaka (SSH 192.0.2.7,
// reported by the environment)", with "(from $USER)" when the identity is
// not verified.
func (o Operator) String() string {
	s := o.User
	if o.SSHClient != "" {
		s += " (" + SSHLabel(o.SSHClient) + ")"
	}
	if o.ReadOnly {
		s += " (viewer)"
	}
	if o.FromEnv {
		s += FromEnvMark
	}
	return s
}

// CanApprove reports whether o may approve exceptions and override the
// release rules: a verified identity that is in the approvers list.
func (o Operator) CanApprove(approvers []string) bool {
	return !o.FromEnv && !o.ReadOnly && IsApprover(o.User, approvers)
}
