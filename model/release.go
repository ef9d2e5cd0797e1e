package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DecisionOutcome says whether, and how, an operator may release a
// message.
type DecisionOutcome string

// Release decision outcomes.
const (
	// DecisionAllowed: release it. When Decision.Exception is set, the
	// release relies on that exception: record a hit and name it in the
	// audit record.
	DecisionAllowed DecisionOutcome = "allowed"
	// DecisionNeedsOverride: the operator is an approver and may release
	// it after typing a reason, which goes into the audit record.
	DecisionNeedsOverride DecisionOutcome = "needs-override"
	// DecisionNeedsException: the operator may not release it; an
	// exception (or an approver's override) is needed.
	DecisionNeedsException DecisionOutcome = "needs-exception"
)

// Decision is the answer to "may this operator release this message?".
type Decision struct {
	Outcome DecisionOutcome
	// Required are the exception kinds the message needs (empty for a
	// clean message); Missing those no single active exception covers.
	Required []ExceptionKind
	Missing  []ExceptionKind
	// Exception is the covering exception when the release relies on it.
	Exception *Exception
	// Sentence explains the decision to the operator.
	Sentence string
	// Warnings are caveats the operator should read before confirming,
	// e.g. that the sender the exception matched is not authenticated.
	Warnings []string
}

// ReleaseDecision applies the release rules to m for op at now:
//
//   - a message that needs no exception kind (see RequiredKinds) and
//     could be read in full may be released by any operator;
//   - otherwise an active exception must cover all its required kinds;
//   - failing that, an approver may override with a typed reason;
//   - a message that could not be read (an error verdict) has no kind an
//     exception could grant, so only an approver's override releases it.
func ReleaseDecision(m *Message, p *Policy, op Operator, now time.Time) Decision {
	d := Decision{Required: RequiredKinds(m)}
	unreadable := m.Error != "" || m.Verdict.Attachment == AttachmentError
	if len(d.Required) == 0 && !unreadable {
		d.Outcome = DecisionAllowed
		d.Sentence = "no rule holds this message; any operator may release it"
		return d
	}
	var covered []ExceptionKind
	if !unreadable {
		d.Exception, covered = p.Covering(m, now)
	}
	for _, k := range d.Required {
		if !slices.Contains(covered, k) {
			d.Missing = append(d.Missing, k)
		}
	}
	if d.Exception != nil && len(d.Missing) == 0 && m.Auth != nil && (m.Verdict.Auth == AuthFail || m.Verdict.Auth == AuthTempError) {
		// The exception names the sender, but this From failed
		// authentication: it may be a forger using the partner's name, so
		// the exception does not apply; an approver may still override.
		d.Warnings = append(d.Warnings, fmt.Sprintf(
			"exception %d matches the From header, but the sender failed authentication (DMARC %s): it does not apply to a message that may be forged",
			d.Exception.ID, authWord(m.Verdict.Auth)))
		d.Exception, covered, d.Missing = nil, nil, append([]ExceptionKind(nil), d.Required...)
	}
	if d.Exception != nil && len(d.Missing) == 0 {
		d.Outcome = DecisionAllowed
		x := ExceptionMatch{ID: d.Exception.ID, ApprovedBy: d.Exception.ApprovedBy, Expires: d.Exception.Expires}
		d.Sentence = x.String()
		if m.Verdict.Auth != AuthPass {
			d.Warnings = append(d.Warnings, fmt.Sprintf(
				"the sender is not authenticated (DMARC %s): the exception matched the From header, which a forger can write",
				authWord(m.Verdict.Auth)))
		}
		return d
	}
	d.Exception = nil
	var why string
	switch {
	case unreadable:
		why = "the message could not be read in full, and no exception can cover that"
	case len(covered) > 0:
		why = fmt.Sprintf("no single active exception covers %s", joinKinds(d.Missing))
	default:
		why = fmt.Sprintf("it needs an exception for %s and none is active for this sender", joinKinds(d.Required))
	}
	if op.CanApprove(p.Approvers) {
		d.Outcome = DecisionNeedsOverride
		d.Sentence = why + "; as an approver you may override with a reason, which is recorded"
	} else {
		d.Outcome = DecisionNeedsException
		d.Sentence = why + "; ask for an exception or for an approver to release it"
	}
	return d
}

func authWord(v AuthVerdict) string {
	if v == "" {
		return "not checked"
	}
	return string(v)
}

// CheckOverrideReason validates the reason an approver types for an
// override: required, one line, at most 500 bytes, no control characters.
func CheckOverrideReason(reason string) error {
	return checkText("override reason", strings.TrimSpace(reason), true)
}
