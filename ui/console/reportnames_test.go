package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"mxaudit/analysis/auth"
	"mxaudit/analysis/auth/authtest"
	"mxaudit/analysis/dnszone"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

// namedQuarantine is 30 generated report mails about example00.com, whose
// 20 top failing sources do not fit on a 24-line screen, and a loopback
// DNS server with a PTR name for every address they come from.
func namedQuarantine(t *testing.T) (Config, *authtest.Server) {
	t.Helper()
	var msgs []model.Message
	raws := make(map[model.MessageID][]byte)
	for k := range 30 {
		s := demo.ReportMail(k * 50) // every 50th mail is about example00.com
		id := model.MessageID("cur/" + s.Name)
		raws[id] = s.Raw
		msgs = append(msgs, model.Message{
			ID: id, From: "noreply@reporter.example", FromAddr: "noreply@reporter.example", FromDomain: "reporter.example",
			Subject: "Report Domain: example00.com Submitter: reporter.example", Date: at(28, 9, 0),
			Verdict:     model.Verdict{Attachment: model.AttachmentClean, Auth: model.AuthNone},
			Attachments: []model.Attachment{{Filename: "r!example00.com!1!2.xml.gz", ContentType: "application/gzip", Size: 600}},
		})
	}
	var zone dnszone.Zone
	for a := range 8 {
		for b := 1; b <= 250; b++ {
			zone = append(zone, dnszone.Record{Name: ptrName(a, b), Type: "PTR", Value: fmt.Sprintf("spoofer-%d-%d.example.net", a, b)})
		}
	}
	srv := authtest.StartDNS(t, zone)
	cfg := testConfig(msgs)
	st := stubOf(cfg)
	st.open = func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raws[id])), nil
	}
	st.resolver = auth.NewCachingResolver(auth.NewDNSResolver(srv.Addr(), 5*time.Second))
	return cfg, srv
}

func ptrName(a, b int) string { return fmt.Sprintf("%d.%d.18.198.in-addr.arpa", b, a) }

var sourceRow = regexp.MustCompile(`198\.18\.(\d+)\.(\d+) +\d+  (\S+) /`)

// shownSources returns the failing sources on screen and the reverse name
// each is drawn with ("-" for none).
func shownSources(m *Model) map[string]string {
	out := make(map[string]string)
	for _, line := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		if g := sourceRow.FindStringSubmatch(line); g != nil {
			out[g[1]+"."+g[2]] = g[3]
		}
	}
	return out
}

// TestReportsNamesShown checks that the report view looks up reverse
// names only for the failing sources on screen, in a command (the update
// that shows the summary asks nothing), each address once, and fills the
// rows in when the answers come.
func TestReportsNamesShown(t *testing.T) {
	cfg, srv := namedQuarantine(t)
	m := newModel(t.Context(), cfg, true)
	runCmd(t, m, m.Init(), nil)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	read := pressAll(m, "D")
	_, lookup := m.Update(read()) // the summary arrives
	shown := shownSources(m)
	if len(shown) == 0 || len(shown) >= 20 || srv.Queries() != 0 || lookup == nil {
		t.Fatalf("%d sources shown (want some of 20), %d DNS queries before the command ran", len(shown), srv.Queries())
	}
	for ip, name := range shown {
		if name != "-" {
			t.Fatalf("%s drawn with %q before any lookup", ip, name)
		}
	}
	runCmd(t, m, lookup, nil)
	checkNames := func(when string) {
		t.Helper()
		for ip, name := range shownSources(m) {
			var a, b int
			fmt.Sscanf(ip, "%d.%d", &a, &b)
			if want := fmt.Sprintf("spoofer-%d-%d.example.net", a, b); name != want {
				t.Errorf("%s: 198.18.%s drawn with %q, want %q", when, ip, name, want)
			}
			if n := srv.QueriesFor(ptrName(a, b)); n != 1 {
				t.Errorf("%s: 198.18.%s asked %d times, want once", when, ip, n)
			}
		}
	}
	checkNames("first screen")
	if srv.Queries() != len(shown) {
		t.Errorf("%d PTR queries for %d sources on screen", srv.Queries(), len(shown))
	}

	seen := len(shown)
	for range 19 { // down to the 20th source: the view scrolls
		runCmd(t, m, pressAll(m, "j"), nil)
	}
	checkNames("scrolled down")
	if srv.Queries() != 20 || seen == 20 {
		t.Errorf("%d PTR queries after every source was shown, want the 20 ranked", srv.Queries())
	}
	for range 19 {
		runCmd(t, m, pressAll(m, "k"), nil)
	}
	checkNames("back up")
	if srv.Queries() != 20 {
		t.Errorf("%d PTR queries after scrolling back, want still 20", srv.Queries())
	}
}

// TestReportsNamesOffline checks that an offline console draws the rows
// without names and asks nothing.
func TestReportsNamesOffline(t *testing.T) {
	cfg, srv := namedQuarantine(t)
	stubOf(cfg).resolver = nil
	m := openedReports(t, cfg, 30, 120, 24)
	for ip, name := range shownSources(m) {
		if name != "-" {
			t.Errorf("198.18.%s drawn with %q offline", ip, name)
		}
	}
	if srv.Queries() != 0 {
		t.Errorf("%d DNS queries offline", srv.Queries())
	}
}
