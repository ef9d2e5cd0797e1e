package console

import (
	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/console/dialog"
)

// handleDialogResult acts on a dialog's answer: the one place where what
// the operator confirmed in a dialog turns into a command. Dialogs only
// report (dialog.Result); they never act.
func (m *Model) handleDialogResult(res dialog.Result) tea.Cmd {
	switch res := res.(type) {
	case nil:
		return nil
	case dialog.Answer:
		switch res.ID {
		case dialog.IDQuit:
			return m.quit()
		case dialog.IDApprove:
			return m.approve(res.Ref)
		case dialog.IDRevoke:
			return m.revoke(res.Ref, res.Reason)
		}
	case dialog.Replan:
		return m.replan(res.Request)
	case dialog.Execute:
		return m.execute(res.Plan)
	case dialog.RequestException:
		return m.requestException(res.Request)
	case dialog.SaveTo:
		return m.save(res)
	}
	return nil
}
