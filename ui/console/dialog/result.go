package dialog

import (
	"mxaudit/mailsrc/action"
	"mxaudit/model"
)

// ID names the question a dialog asks, so that the root model knows what
// an answer means and which open dialog an answer from a command is for.
type ID int

// The console's dialogs.
const (
	// IDQuit asks whether to quit while an action runs.
	IDQuit ID = iota + 1
	// IDApprove and IDRevoke confirm a change to exception Ref.
	IDApprove
	IDRevoke
	// IDAction is the release or delete dialog with its dry run.
	IDAction
	// IDWhitelist is the exception request form.
	IDWhitelist
	// IDPassword shows a PPAP password.
	IDPassword
)

// Result is what a dialog hands back to the root model when the
// operator answers: one of the types below. Dialogs never act
// themselves; the root handles every result in one switch.
type Result interface{ result() }

// Answer is a yes to a Confirm or a Typed dialog: ID is the question,
// Ref what it was about (an exception's number), Reason what the operator
// typed in the reason field, if the dialog had one.
type Answer struct {
	ID     ID
	Ref    int
	Reason string
}

// Replan asks for a new dry run of the action dialog's request: the
// operator changed the recipients, the copies or the override reason.
type Replan struct{ Request action.Request }

// Execute runs a plan the operator confirmed.
type Execute struct{ Plan action.Plan }

// RequestException files the exception request of the whitelist form.
type RequestException struct{ Request model.ExceptionRequest }

func (Answer) result()           {}
func (Replan) result()           {}
func (Execute) result()          {}
func (RequestException) result() {}
