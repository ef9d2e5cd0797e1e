package detail

import (
	"strings"
	"testing"
	"time"

	"mxaudit/model"
	"mxaudit/ui/console/styles"
)

// TestPPAPLinesSayWhyNotOpened: an archive pairing left shut says why
// when it was not checked (not read back as analysed, the work budget),
// not "no password found", which it never looked for.
func TestPPAPLinesSayWhyNotOpened(t *testing.T) {
	tests := []struct {
		arc  model.Archive
		want string
	}{
		{model.Archive{Encrypted: true, PasswordAttempts: 3}, "a.zip: no password found (3 tried)"},
		{model.Archive{Encrypted: true, NotChecked: model.NotCheckedUnread}, "a.zip: not checked: " + model.NotCheckedUnread},
		{model.Archive{Encrypted: true, NotChecked: model.NotCheckedBudget, PasswordAttempts: 5}, "a.zip: not checked: budget (5 tried)"},
		{model.Archive{Encrypted: true, NotChecked: model.NotCheckedPastLimit}, "a.zip: not checked: " + model.NotCheckedPastLimit},
	}
	st := styles.New(true, true)
	for _, tt := range tests {
		arc := tt.arc
		m := &model.Message{ID: "z", Attachments: []model.Attachment{{Filename: "a.zip", Archive: &arc}}}
		w := writer{st: &st, loc: time.UTC}
		ppapLines(&w, m, nil)
		if got := strings.Join(w.lines, "\n"); !strings.Contains(got, tt.want) {
			t.Errorf("%+v: lines\n%s\nwant %q", tt.arc, got, tt.want)
		}
	}
}
