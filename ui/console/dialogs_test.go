package console

import (
	"fmt"
	"strings"
	"testing"

	"mxaudit/mailsrc/action"
	"mxaudit/model"
	"mxaudit/ui/console/dialog"
)

// bigPlan is a dry run with more blocked messages and warnings than any
// dialog can list.
func bigPlan(msgs []model.Message) action.Plan {
	p := action.Plan{Request: action.Request{Kind: action.Release}, Recipients: 52, Outside: 3,
		Summary:       "release 37 messages to 52 recipients (3 outside example.co.jp); 12 messages held back (an approver's override reason would release some)",
		NeedsOverride: true}
	for i := range 49 {
		m := msgs[i%len(msgs)]
		it := action.Item{Message: &m, Original: []string{"a@example.co.jp", "b@example.co.jp"}}
		if i%4 == 0 {
			it.Blocked = "it needs an exception for encrypted-archive and none is active for this sender; as an approver you may override with a reason, which is recorded"
			p.Blocked++
		}
		it.Warnings = []string{fmt.Sprintf("warning %d: the sender is not authenticated (DMARC fail): the exception matched the From header, which a forger can write", i)}
		p.Items = append(p.Items, it)
	}
	return p
}

// TestDialogsFit draws every dialog, fully loaded, at many terminal sizes
// and checks that the frame stays exactly the terminal's size.
func TestDialogsFit(t *testing.T) {
	msgs := sampleMessages()
	dialogs := map[string]func(m *Model) dialog.Dialog{
		"release": func(m *Model) dialog.Dialog {
			d := dialog.NewAction(m.com, action.Release, 49, true)
			d.SetPlan(bigPlan(msgs), nil)
			return d
		},
		"release_one": func(m *Model) dialog.Dialog {
			d := dialog.NewAction(m.com, action.Release, 1, false)
			p := bigPlan(msgs)
			p.Items = p.Items[:1]
			d.SetPlan(p, nil)
			return d
		},
		"whitelist": func(m *Model) dialog.Dialog {
			return dialog.NewWhitelist(m.com, &msgs[1], "tanaka (192.0.2.7)")
		},
		"revoke": func(m *Model) dialog.Dialog {
			return dialog.NewTyped(m.com, dialog.IDRevoke, 12, "Revoke exception 12", []string{strings.Repeat("long line ", 20)}, "Reason", "y")
		},
		"password": func(m *Model) dialog.Dialog {
			d := dialog.NewPassword(m.com, "見積書_2026.zip", "cur/0008")
			d.SetPassword("Xy7#kP2q", nil)
			return d
		},
	}
	for name, open := range dialogs {
		for _, w := range []int{10, 20, 40, 59, 80, 81, 120, 160, 200} {
			for _, h := range []int{4, 5, 10, 24, 48} {
				t.Run(fmt.Sprintf("%s/%dx%d", name, w, h), func(t *testing.T) {
					m := loaded(t, w, h)
					m.dialogs.Push(open(m))
					checkFrame(t, m.View().Content, w, h)
				})
			}
		}
	}
}
