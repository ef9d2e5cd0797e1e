package mailsrc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxaudit/model"
)

// Child mode: a test binary re-executed with envMoveChild set moves one
// message (envMoveKind: "release" or "delete") and kills itself with
// SIGKILL at step envMoveCrash; envMoveEXDEV makes the rename fail as it
// does across file systems.
const (
	envMoveChild = "MXAUDIT_MOVE_CHILD"
	envMoveCrash = "MXAUDIT_MOVE_CRASH"
	envMoveEXDEV = "MXAUDIT_MOVE_EXDEV"
	envMoveID    = "MXAUDIT_MOVE_ID"
	envMoveKind  = "MXAUDIT_MOVE_KIND"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envMoveChild); dir != "" {
		os.Exit(runMoveChild(dir))
	}
	os.Exit(m.Run())
}

func runMoveChild(dir string) int {
	crash, exdev := os.Getenv(envMoveCrash), os.Getenv(envMoveEXDEV) != ""
	stepHook = func(name string) error {
		if name == crash {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
		if name == "rename" && exdev {
			return syscall.EXDEV
		}
		return nil
	}
	src, err := Open(dir)
	if err != nil {
		fmt.Println(err)
		return 3
	}
	mv := src.(Mover)
	id := model.MessageID(os.Getenv(envMoveID))
	if os.Getenv(envMoveKind) == "delete" {
		err = mv.Delete(context.Background(), id)
	} else {
		err = mv.Release(context.Background(), id, "")
	}
	if err != nil {
		fmt.Println(err)
		return 3
	}
	return 0
}

const moveMsg = "Return-Path: <a@b.example>\r\nFrom: a@b.example\r\nTo: c@d.example\r\nSubject: hi\r\n\r\nbody\r\n"

// moveFixture is a quarantine of one message in a Maildir or a directory.
type moveFixture struct {
	kind, dir string
	id        model.MessageID
	// file is the message's path relative to dir.
	file string
	// areaFile is where it lands in an area, relative to the area.
	areaFile string
}

func newMoveFixture(t *testing.T, kind string) moveFixture {
	dir := t.TempDir()
	mtime := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	if kind == "maildir" {
		os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
		os.MkdirAll(filepath.Join(dir, "new"), 0o755)
		writeFile(t, dir, "cur/1700000000.M1P2.host:2,S", moveMsg, mtime)
		return moveFixture{kind, dir, "1700000000.M1P2.host", "cur/1700000000.M1P2.host:2,S", "cur/1700000000.M1P2.host:2,S"}
	}
	writeFile(t, dir, "2026/11/spam-AbC123.eml", moveMsg, mtime)
	return moveFixture{kind, dir, "2026/11/spam-AbC123.eml", "2026/11/spam-AbC123.eml", "2026/11/spam-AbC123.eml"}
}

// where says where the message file is: "quarantine", an area name,
// "quarantine+.released" for both, or "neither".
func (f moveFixture) where(t *testing.T) string {
	var in []string
	for _, p := range []string{f.file, ".released/" + f.areaFile, ".trash/" + f.areaFile} {
		b, err := os.ReadFile(filepath.Join(f.dir, p))
		if err == nil {
			if string(b) != moveMsg {
				t.Errorf("%s holds other bytes", p)
			}
			name, _, _ := strings.Cut(p, "/")
			if p == f.file {
				name = "quarantine"
			}
			in = append(in, name)
		}
	}
	if len(in) == 0 {
		return "neither"
	}
	return strings.Join(in, "+")
}

func TestMoversRelease(t *testing.T) {
	for _, kind := range []string{"maildir", "dir"} {
		t.Run(kind, func(t *testing.T) {
			f := newMoveFixture(t, kind)
			src, err := Open(f.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			ctx := context.Background()
			mv := src.(Mover)
			if err := mv.Release(ctx, f.id, "Elsewhere"); err == nil {
				t.Error("a destination other than .released was accepted")
			}
			if err := mv.Release(ctx, f.id, ""); err != nil {
				t.Fatal(err)
			}
			if w := f.where(t); w != ".released" {
				t.Errorf("message in %s", w)
			}
			if got := listAll(t, src); len(got) != 0 {
				t.Errorf("released message still listed: %v", ids(got))
			}
			info, err := os.Stat(filepath.Join(f.dir, ".released", f.areaFile))
			if err != nil || !info.ModTime().Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) {
				t.Errorf("released file: %v, %v", info, err)
			}
			if kind == "maildir" {
				for _, sub := range []string{"cur", "new", "tmp"} {
					if _, err := os.Stat(filepath.Join(f.dir, ".released", sub)); err != nil {
						t.Errorf(".released is not a Maildir++ folder: %v", err)
					}
				}
			}
			err = mv.Delete(ctx, f.id)
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "already released by ") {
				t.Errorf("delete after release: %v", err)
			}
		})
	}
}

// TestMoveNeverOverwrites: a file of the same name already in the area
// (an earlier message of that name) is kept; the new one gets a suffix.
func TestMoveNeverOverwrites(t *testing.T) {
	f := newMoveFixture(t, "maildir")
	writeFile(t, f.dir, ".trash/"+f.areaFile, "older", time.Time{})
	src, _ := Open(f.dir)
	defer src.Close()
	if err := src.(Mover).Delete(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(f.dir, ".trash", f.areaFile))
	moved, err := os.ReadFile(filepath.Join(f.dir, ".trash", "cur", "1700000000.M1P2.host.2:2,S"))
	if string(old) != "older" || err != nil || string(moved) != moveMsg {
		t.Errorf("old %q, moved %q, %v", old, moved, err)
	}
}

// TestMoveFailureBetweenSteps injects a failure at every step of a move,
// on one file system and across two: the message is always somewhere.
func TestMoveFailureBetweenSteps(t *testing.T) {
	tests := []struct {
		exdev bool
		step  string
		want  string
	}{
		{false, "state-written", "quarantine"},
		{false, "state-saved", "quarantine"},
		{false, "rename", "quarantine"},
		{true, "copied", "quarantine"},
		{true, "linked", "quarantine+.trash"},
		{true, "", ".trash"},
	}
	for _, kind := range []string{"maildir", "dir"} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/exdev=%v/%s", kind, tt.exdev, tt.step), func(t *testing.T) {
				f := newMoveFixture(t, kind)
				stepHook = func(name string) error {
					if name == tt.step {
						return errors.New("injected at " + name)
					}
					if name == "rename" && tt.exdev {
						return syscall.EXDEV
					}
					return nil
				}
				defer func() { stepHook = nil }()
				src, _ := Open(f.dir)
				defer src.Close()
				err := src.(Mover).Delete(context.Background(), f.id)
				if (err == nil) != (tt.step == "") {
					t.Errorf("Delete = %v", err)
				}
				if w := f.where(t); w != tt.want {
					t.Errorf("message in %s, want %s", w, tt.want)
				}
				if tt.step == "" {
					info, _ := os.Stat(filepath.Join(f.dir, ".trash", f.areaFile))
					if info == nil || !info.ModTime().Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) {
						t.Errorf("copy across file systems lost the modification time: %v", info)
					}
				}
			})
		}
	}
}

// TestMoveKilledBetweenSteps kills a child process at every step of a
// move across file systems and of the state write: the message is in the
// quarantine or the area (or both), never in neither, and a later move
// completes.
func TestMoveKilledBetweenSteps(t *testing.T) {
	for _, kind := range []string{"maildir", "dir"} {
		for _, step := range []string{"state-written", "state-saved", "copied", "linked"} {
			t.Run(kind+"/"+step, func(t *testing.T) {
				f := newMoveFixture(t, kind)
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), envMoveChild+"="+f.dir, envMoveCrash+"="+step, envMoveEXDEV+"=1",
					envMoveID+"="+string(f.id), envMoveKind+"=release")
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("child not killed: %v\n%s", err, out)
				}
				w := f.where(t)
				if w == "neither" {
					t.Fatalf("the message is lost after a kill at %s", step)
				}
				want := "quarantine"
				if step == "linked" {
					want = "quarantine+.released"
				}
				if w != want {
					t.Errorf("after a kill at %s the message is in %s, want %s", step, w, want)
				}
				src, _ := Open(f.dir)
				defer src.Close()
				if err := src.(Mover).Release(context.Background(), f.id, ""); err != nil {
					t.Fatal(err)
				}
				if w := f.where(t); !strings.HasSuffix(w, ".released") || strings.HasPrefix(w, "quarantine") {
					t.Errorf("after a second release the message is in %s", w)
				}
			})
		}
	}
}

// TestPurgeTrash removes what went to the trash before the cutoff, by the
// time recorded in the state, and keeps the rest.
func TestPurgeTrash(t *testing.T) {
	for _, kind := range []string{"maildir", "dir"} {
		t.Run(kind, func(t *testing.T) {
			f := newMoveFixture(t, kind)
			src, _ := Open(f.dir)
			defer src.Close()
			l := src.(Ledger)
			ctx := context.Background()
			if err := l.Delete(ctx, f.id); err != nil {
				t.Fatal(err)
			}
			// By file time the message is days old, but it went to the
			// trash just now: nothing to purge 30 days back.
			var purged []Purged
			collect := func(p Purged, remove func() error) error {
				if remove != nil {
					p.Err = remove()
				}
				purged = append(purged, p)
				return nil
			}
			if err := l.PurgeTrash(ctx, time.Now().Add(-30*24*time.Hour), collect); err != nil || len(purged) != 0 {
				t.Fatalf("purged %v, %v", purged, err)
			}
			if err := l.PurgeTrash(ctx, time.Now().Add(time.Minute), collect); err != nil {
				t.Fatal(err)
			}
			if len(purged) != 1 || purged[0].ID != f.id || purged[0].TrashedBy == "" || purged[0].Err != nil || purged[0].Size != int64(len(moveMsg)) {
				t.Fatalf("purged %+v", purged)
			}
			if w := f.where(t); w != "neither" {
				t.Errorf("purged message still in %s", w)
			}
			if _, err := os.Stat(filepath.Join(f.dir, stateName(f.id))); !os.IsNotExist(err) {
				t.Errorf("state of a purged message kept: %v", err)
			}
		})
	}
}

// TestSingleFileCannotMove: a source of one file has nowhere to put it.
func TestSingleFileCannotMove(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "one.eml", moveMsg, time.Time{})
	src, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.(Mover).Delete(context.Background(), "one.eml"); err == nil || !strings.Contains(err.Error(), "single message file") {
		t.Errorf("Delete = %v", err)
	}
}
