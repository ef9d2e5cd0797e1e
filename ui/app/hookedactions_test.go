package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/mailsrc/action"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// TestWorkspaceActionsRunHooks deletes a demo message through the
// workspace's action service — what the console uses — and checks that
// the delete hook (a real script) ran with the raw message on stdin, read
// before the delete moved it.
func TestWorkspaceActionsRunHooks(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "quarantine")
	samples := demo.Samples(demo.Options{})[:3]
	if err := demo.WriteMaildir(dir, samples); err != nil {
		t.Fatal(err)
	}
	hook := script(t, tmp, "keep.sh", `cat > "$1/stdin"; printf %s "$MXAUDIT_ACTION" > "$1/action"`+"\n")
	a, err := Open(context.Background(), dir, Config{Offline: true, NoPPAP: true, Flags: Flags{NoCache: true}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	desk := NewDeskIn(tmp, func(string) string { return "" }, "sato")
	desk.Config.Hooks.Delete = [][]string{{hook, tmp}}
	ws := NewWorkspace(a, desk, nil)
	if ws.Actions == nil {
		t.Fatal(ws.ActionsUnavailable)
	}
	id := model.MessageID(samples[0].Name)
	m, err := a.Reanalyse(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ws.Actions.Plan(context.Background(), action.Request{Kind: action.Delete, IDs: []model.MessageID{id}}, []*model.Message{&m})
	if err != nil {
		t.Fatal(err)
	}
	var seen []action.Result
	res := ws.Actions.Execute(context.Background(), p, func(r action.Result) { seen = append(seen, r) })
	if len(res) != 1 || res[0].Err != nil || len(seen) != 1 {
		t.Fatalf("results %+v, progress %+v", res, seen)
	}
	stdin, _ := os.ReadFile(filepath.Join(tmp, "stdin"))
	if !bytes.Equal(stdin, samples[0].Raw) {
		t.Errorf("hook stdin: %d bytes, want the %d raw bytes", len(stdin), len(samples[0].Raw))
	}
	js, _ := os.ReadFile(filepath.Join(tmp, "action"))
	if !strings.Contains(string(js), `"event":"delete"`) || !strings.Contains(string(js), `"message_id":"`+string(id)+`"`) {
		t.Errorf("action %s", js)
	}
}
