package imap

import (
	"context"
	"errors"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// operator is a second IMAP client: another operator at work.
func (m *memServer) operator(t *testing.T, mailbox string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(m.proxy.addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(memUser, memPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// uidsIn lists the UIDs of mailbox as another client sees them.
func (m *memServer) uidsIn(t *testing.T, mailbox string) []goimap.UID {
	c := m.operator(t, mailbox)
	data, err := c.UIDSearch(&goimap.SearchCriteria{}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return data.AllUIDs()
}

func listIDs(t *testing.T, s *Source) []model.MessageID {
	var ids []model.MessageID
	if err := s.List(context.Background(), func(e mailsrc.Entry) error { ids = append(ids, e.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestReleaseAndDelete(t *testing.T) {
	tests := []struct {
		name      string
		caps      goimap.CapSet
		mode      DeleteMode
		wantSent  []string
		forbidden []string
		wantErr   error
	}{
		{name: "MOVE", caps: capsRev2, wantSent: []string{"UID MOVE"}, forbidden: []string{"UID COPY"}},
		{name: "COPY fallback", caps: capsNoMove, wantSent: []string{"UID COPY", "UID STORE", "UID EXPUNGE"}, forbidden: []string{"MOVE", " EXPUNGE\r\n"}},
		{name: "expunge mode", caps: capsNoMove, mode: DeleteExpunge, wantSent: []string{"UID STORE", "UID EXPUNGE"}, forbidden: []string{" EXPUNGE\r\n"}},
		{name: "neither MOVE nor UIDPLUS", caps: capsBare, wantErr: ErrNoUIDPlus, forbidden: []string{"EXPUNGE", "+FLAGS.SILENT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemServer(t, tt.caps)
			for i := 0; i < 3; i++ {
				m.add(t, "Quarantine", testMessage(i))
			}
			s := m.open(t, "Quarantine", func(c *Config) { c.DeleteMode = tt.mode })
			ids := listIDs(t, s)
			// Another operator flagged message 3 \Deleted without expunging:
			// it must survive our actions.
			op := m.operator(t, "Quarantine")
			if err := op.Store(goimap.UIDSetNum(3), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
				t.Fatal(err)
			}
			errRelease := s.Release(context.Background(), ids[0], "")
			errDelete := s.Delete(context.Background(), ids[1])
			if tt.wantErr != nil {
				if !errors.Is(errRelease, tt.wantErr) || !errors.Is(errDelete, tt.wantErr) {
					t.Fatalf("release: %v; delete: %v; want %v", errRelease, errDelete, tt.wantErr)
				}
				if got := join(m.uidsIn(t, "Quarantine")); got != "1,2,3" {
					t.Fatalf("quarantine holds %s after a refusal", got)
				}
			} else {
				if errRelease != nil || errDelete != nil {
					t.Fatalf("release: %v; delete: %v", errRelease, errDelete)
				}
				if got := join(m.uidsIn(t, "Quarantine")); got != "3" {
					t.Errorf("quarantine holds %s, want 3 (the other operator's \\Deleted message untouched)", got)
				}
				if got := len(m.uidsIn(t, "Released")); got != 1 {
					t.Errorf("Released holds %d messages, want 1", got)
				}
				wantTrash := 1
				if tt.mode == DeleteExpunge {
					wantTrash = 0
				}
				if got := len(m.uidsIn(t, "Trash")); got != wantTrash {
					t.Errorf("Trash holds %d messages, want %d", got, wantTrash)
				}
				// Acting again on the same message: already gone.
				if err := s.Release(context.Background(), ids[0], ""); !errors.Is(err, mailsrc.ErrNotFound) {
					t.Errorf("second release: %v, want ErrNotFound", err)
				}
			}
			sent := m.proxy.sent()
			for _, w := range tt.wantSent {
				if !strings.Contains(sent, w) {
					t.Errorf("%q never sent", w)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(sent, f) {
					t.Errorf("%q sent", f)
				}
			}
		})
	}
}

func TestReleaseToMissingMailbox(t *testing.T) {
	m := newMemServer(t, capsRev2)
	m.add(t, "Quarantine", testMessage(0))
	s := m.open(t, "Quarantine", nil)
	ids := listIDs(t, s)
	err := s.Release(context.Background(), ids[0], "NoSuchBox")
	if err == nil || !strings.Contains(err.Error(), `"NoSuchBox" does not exist`) {
		t.Fatalf("err = %v", err)
	}
	if got := len(m.uidsIn(t, "Quarantine")); got != 1 {
		t.Fatalf("quarantine holds %d messages after a failed release", got)
	}
}
