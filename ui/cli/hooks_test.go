package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// TestReleaseHooks releases two clean demo messages with a [hooks]
// release command (a real shell script that files its stdin and
// $MXAUDIT_ACTION under the message's ID) and a failing one: both
// messages are released and delivered, the script saw each raw message
// as the quarantine held it, and the failures are warned about and
// audited without failing the release.
func TestReleaseHooks(t *testing.T) {
	samples := pickSamples(6, cleanOrEncrypted)
	ae := newActionTestEnv(t, samples)
	out := filepath.Join(t.TempDir(), "hook")
	os.MkdirAll(out, 0o700)
	keep := filepath.Join(out, "keep.sh")
	os.WriteFile(keep, []byte("#!/bin/sh\nid=$(printf %s \"$MXAUDIT_ACTION\" | sed 's/.*\"message_id\":\"\\([^\"]*\\)\".*/\\1/' | tr / _)\n"+
		"cat > \""+out+"/$id.eml\"; printf %s \"$MXAUDIT_ACTION\" > \""+out+"/$id.json\"\n"), 0o700)
	cfg := filepath.Join(ae.vars["XDG_CONFIG_HOME"], "mxaudit", "config.toml")
	f, _ := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintf(f, "[hooks]\ntimeout = \"5s\"\nrelease = [[%q], [\"/bin/false\"]]\n", keep)
	f.Close()

	clean := ae.scanIDs()[model.AttachmentClean]
	if len(clean) < 2 {
		t.Fatalf("%d clean messages", len(clean))
	}
	raws := map[string][]byte{}
	for _, id := range clean[:2] {
		paths, _ := filepath.Glob(filepath.Join(ae.quar, "*", id+"*"))
		if len(paths) != 1 {
			t.Fatalf("%s: files %v", id, paths)
		}
		raw, err := os.ReadFile(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		raws[id] = raw
	}
	got := ae.expect(ExitOK, "release hook /bin/false failed: exit status 1", "tanaka", "", "release", ae.quar, clean[0], clean[1], "--yes")
	if n := len(ae.sink.Deliveries()); n != 2 {
		t.Fatalf("%d delivered\n%s", n, got)
	}
	for id, raw := range raws {
		name := strings.ReplaceAll(id, "/", "_")
		stdin, err := os.ReadFile(filepath.Join(out, name+".eml"))
		if err != nil || !bytes.Equal(stdin, raw) {
			t.Errorf("%s: hook stdin %d bytes (%v), want the %d raw bytes", id, len(stdin), err, len(raw))
		}
		var ev app.HookEvent
		js, _ := os.ReadFile(filepath.Join(out, name+".json"))
		if err := json.Unmarshal(js, &ev); err != nil || ev.Event != "release" || string(ev.MessageID) != id || ev.Operator != "tanaka" || !ev.Stdin {
			t.Errorf("%s: action %s (%v)", id, js, err)
		}
	}
	hooks := 0
	for _, e := range ae.audit() {
		if e.Action == model.ActionHook {
			hooks++
			if e.Outcome != "exit status 1" || !strings.HasPrefix(e.Detail, "after release: /bin/false") {
				t.Errorf("hook record %+v", e)
			}
		}
	}
	if hooks != 2 {
		t.Errorf("%d hook records, want 2", hooks)
	}
}
