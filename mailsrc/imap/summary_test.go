package imap

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// part is what an analyzer sees of one leaf part.
type part struct {
	contentType, filename, disposition string
	body                               []byte
	elided                             string
}

// parseParts parses raw as the analyzer would and lists its leaf parts.
func parseParts(t *testing.T, raw []byte) []part {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		t.Fatalf("parse: %v", err)
	}
	var out []part
	err = e.Walk(func(path []int, ent *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ent.MultipartReader() != nil {
			return nil
		}
		ct, params, _ := ent.Header.ContentType()
		disp, dparams, _ := ent.Header.ContentDisposition()
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		body, _ := io.ReadAll(ent.Body)
		out = append(out, part{ct, name, disp, body, ent.Header.Get(model.ElidedHeader)})
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return out
}

// needArchives selects what the lead's scanner will: archives and risky
// application types, whatever the name says.
func needArchives(p model.PartInfo) bool {
	return p.ContentType == "application/zip" || strings.HasSuffix(strings.ToLower(p.Filename), ".zip")
}

func TestSummaryReconstruction(t *testing.T) {
	m := newMemServer(t, capsRev2)
	// An attacker-supplied elision marker must not survive.
	spoof := bytes.Replace(testMessage(kindZip), []byte("Content-Type: application/zip;"), []byte("X-Mxaudit-Elided: 1\r\nContent-Type: application/zip;"), 1)
	raws := [][]byte{}
	for i := 0; i < numKinds; i++ {
		raws = append(raws, testMessage(i))
	}
	raws = append(raws, spoof)
	for _, r := range raws {
		m.add(t, "Quarantine", r)
	}
	s := m.open(t, "Quarantine", nil)
	var sums []mailsrc.Summary
	err := s.ListSummaries(context.Background(), needArchives, func(sum mailsrc.Summary) error {
		sums = append(sums, sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != len(raws) {
		t.Fatalf("%d summaries, want %d", len(sums), len(raws))
	}
	for i, sum := range sums {
		t.Run(fmt.Sprintf("message%d", i), func(t *testing.T) {
			if sum.Entry.Err != nil {
				t.Fatal(sum.Entry.Err)
			}
			orig, rebuilt := parseParts(t, raws[i]), parseParts(t, sum.Message)
			if len(orig) != len(rebuilt) {
				t.Fatalf("%d parts rebuilt, original has %d\n%s", len(rebuilt), len(orig), sum.Message)
			}
			for j := range orig {
				o, r := orig[j], rebuilt[j]
				if o.contentType != r.contentType || o.filename != r.filename || o.disposition != r.disposition {
					t.Errorf("part %d: rebuilt %q %q %q, original %q %q %q", j, r.contentType, r.filename, r.disposition, o.contentType, o.filename, o.disposition)
				}
				fetched := o.contentType == "application/zip"
				switch {
				case fetched && !bytes.Equal(o.body, r.body):
					t.Errorf("part %d (%s): fetched body differs (%d vs %d bytes)", j, o.contentType, len(r.body), len(o.body))
				case fetched && r.elided != "":
					t.Errorf("part %d: fetched but marked elided %q (spoofed header kept?)", j, r.elided)
				case !fetched && (len(r.body) != 0 || r.elided == ""):
					t.Errorf("part %d (%s): want an empty elided body, got %d bytes, marker %q", j, o.contentType, len(r.body), r.elided)
				case !fetched:
					if n, err := strconv.Atoi(r.elided); err != nil || n <= 0 {
						t.Errorf("part %d: elided size %q", j, r.elided)
					}
				}
			}
			if got := len(sum.Fetched) + len(sum.Elided); got != len(orig) {
				t.Errorf("Fetched+Elided = %d parts, want %d", got, len(orig))
			}
			// The real header, authentication headers included, is there.
			if !bytes.Contains(sum.Message, []byte("DKIM-Signature: v=1")) || !bytes.Contains(sum.Message, []byte("Authentication-Results: mx.example.com")) {
				t.Errorf("header lost:\n%s", sum.Message)
			}
		})
	}
	// The Japanese RFC 2231 name survives exactly, from the real header.
	if got := parseParts(t, sums[kindNested].Message)[2].filename; got != "請求書.pdf" {
		t.Errorf("nested attachment name %q", got)
	}
}

func TestSummariesBoundedCommands(t *testing.T) {
	m := newMemServer(t, capsRev2)
	const n = 2000
	var full int64
	for i := 0; i < n; i++ {
		raw := testMessage(i)
		full += int64(len(raw))
		m.add(t, "Quarantine", raw)
	}
	s := m.open(t, "Quarantine", nil)
	before := s.Stats()
	count := 0
	err := s.ListSummaries(context.Background(), needArchives, func(sum mailsrc.Summary) error {
		count++
		return sum.Entry.Err
	})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	cmds := st.Commands - before.Commands
	in := st.BytesIn - before.BytesIn
	t.Logf("%d messages: %d commands, %d bytes in (whole messages: %d bytes); parts fetched %d, elided %d", count, cmds, in, full, st.PartsFetched, st.PartsElided)
	if count != n {
		t.Fatalf("%d summaries, want %d", count, n)
	}
	// 1 SEARCH + per batch of 500: 1 structure fetch and one parts fetch per
	// distinct shape (4 here: zip; nested; forwarded; bare zip).
	if max := int64(1 + 4*(1+4)); cmds > max {
		t.Errorf("%d commands for %d messages, want at most %d", cmds, n, max)
	}
	if in >= full {
		t.Errorf("summaries read %d bytes, not less than the %d of whole messages", in, full)
	}
}

func TestSummariesOfGivenIDs(t *testing.T) {
	m := newMemServer(t, capsRev2)
	for i := 0; i < 12; i++ {
		m.add(t, "Quarantine", testMessage(i))
	}
	s := m.open(t, "Quarantine", func(c *Config) { c.Batch = 4 })
	ids := listIDs(t, s)
	want := []model.MessageID{ids[7], ids[1], "1/999", ids[11], ids[2], ids[3], "junk"}
	before := s.Stats().Commands
	var got []model.MessageID
	err := s.Summaries(context.Background(), want, needArchives, func(sum mailsrc.Summary) error {
		if sum.Entry.Err != nil || len(sum.Message) == 0 {
			t.Errorf("%s: %v", sum.Entry.ID, sum.Entry.Err)
		}
		got = append(got, sum.Entry.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint([]model.MessageID{ids[7], ids[1], ids[11], ids[2], ids[3]}) {
		t.Fatalf("got %v", got)
	}
	if cmds := s.Stats().Commands - before; cmds > 2*4 {
		t.Errorf("%d commands for 2 batches", cmds)
	}
}
