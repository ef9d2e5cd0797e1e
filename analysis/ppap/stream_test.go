package ppap

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	yzip "github.com/yeka/zip"

	"mxaudit/analysis"
	"mxaudit/model"
)

// streamMails writes the test mails to a Stream in order and records what
// was emitted after each Write, so that tests can check when a message
// came out.
func streamMails(t *testing.T, cfg Config, mails map[string]testMail, order []string) (emitted [][]model.MessageID, out map[model.MessageID]model.Message) {
	t.Helper()
	return streamMailsWith(t, analysis.New(analysis.Config{}), cfg, mails, order, nil)
}

// analyzer analyses the test mails for streamMailsWith: an
// *analysis.Analyzer, or cachedResults.
type analyzer interface {
	Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message
}

// cachedResults gives an analysis's results as a scan reads them from the
// analysis cache: without the text it kept (model.Message.PairingText is
// never cached), with what it recorded of it.
type cachedResults struct{ an *analysis.Analyzer }

func (c cachedResults) Analyze(ctx context.Context, id model.MessageID, raw io.Reader) model.Message {
	m := c.an.Analyze(ctx, id, raw)
	m.PairingText = nil
	return m
}

// streamMailsWith is streamMails analysing with an, and counting in opened
// (when not nil) the messages the stream reads back.
func streamMailsWith(t *testing.T, an analyzer, cfg Config, mails map[string]testMail, order []string,
	opened map[model.MessageID]int) (emitted [][]model.MessageID, out map[model.MessageID]model.Message) {
	t.Helper()
	list := make([]listed, len(order))
	for i, id := range order {
		list[i] = listed{id, mails[id]}
	}
	run := streamList(t, an, cfg, list, opened)
	return run.emitted, run.out
}

// listed is one test mail and its ID, in listing order.
type listed struct {
	id string
	m  testMail
}

// streamRun is what streamList saw: after each Write and then Close, what
// was emitted (so that tests can check when a message came out); the
// last emitted form of each message; the most messages the sender index
// held.
type streamRun struct {
	emitted [][]model.MessageID
	out     map[model.MessageID]model.Message
	indexed int
}

// streamList writes the mails, analysed by an, to a Stream with cfg in
// listing order, counting in opened (when not nil) the messages it reads
// back.
func streamList(t *testing.T, an analyzer, cfg Config, mails []listed, opened map[model.MessageID]int) streamRun {
	t.Helper()
	src := memSource{}
	ctx := context.Background()
	run := streamRun{out: map[model.MessageID]model.Message{}}
	// The source holds every message before the listing starts, as a
	// real one does: pairings read it concurrently with the Writes.
	for _, l := range mails {
		src[model.MessageID(l.id)] = rawMail(l.m)
	}
	var batch []model.MessageID
	var mu sync.Mutex
	open := func(ctx context.Context, id model.MessageID) (io.ReadCloser, error) {
		mu.Lock()
		if opened != nil {
			opened[id]++
		}
		mu.Unlock()
		return src.open(ctx, id)
	}
	st := NewStream(ctx, cfg, open, func(m model.Message) error {
		batch = append(batch, m.ID)
		run.out[m.ID] = m
		return nil
	})
	for _, l := range mails {
		if err := st.Write(an.Analyze(ctx, model.MessageID(l.id), bytes.NewReader(src[model.MessageID(l.id)]))); err != nil {
			t.Fatal(err)
		}
		run.emitted = append(run.emitted, batch)
		batch = nil
		run.indexed = max(run.indexed, st.senders.n)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	run.emitted = append(run.emitted, batch)
	return run
}

// timesEmitted counts how often the run emitted each message.
func (r streamRun) timesEmitted() map[model.MessageID]int {
	n := map[model.MessageID]int{}
	for _, batch := range r.emitted {
		for _, id := range batch {
			n[id]++
		}
	}
	return n
}

func TestStreamHoldsUntilWindowCloses(t *testing.T) {
	zip := holdZipMail(t)
	sender, to := holdSender, holdRecipient
	mails := map[string]testMail{
		"zip":       zip,
		"other":     {from: "x@elsewhere.example", to: to, subject: "hello", date: t0.Add(time.Minute), msgID: "<o@e>", text: "PW: Hold-1234"},
		"pw":        {from: sender, to: to, subject: "【パスワード通知】見積書", date: t0.Add(3 * time.Minute), msgID: "<pw@p>", inReplyTo: "<zip@p>", text: "パスワード：Hold-1234"},
		"same-late": {from: sender, to: to, subject: "next week", date: t0.Add(2 * time.Hour), msgID: "<n@p>", text: "see you"},
		"closer":    {from: "z@elsewhere.example", to: to, subject: "later", date: t0.Add(25 * time.Hour), msgID: "<c@e>", text: "bye"},
		"orphan":    {from: sender, to: to, subject: "資料2", date: t0.Add(26 * time.Hour), msgID: "<zip2@p>", text: "no password ever", zipName: "b.zip", zip: zip.zip},
	}
	order := []string{"zip", "other", "pw", "same-late", "closer", "orphan"}
	emitted, out := streamMails(t, Config{}, mails, order)

	// Pairings run off the emitting goroutine, so a message whose window
	// closed comes out at the closing Write or at a later one; never
	// before. want lists, per step, what may have come out by then.
	allowed := [][]model.MessageID{
		nil,       // zip: held
		{"other"}, // another sender passes straight through
		{"other"}, // pw: held with its ZIP mail
		{"other"}, // same sender, inside the window: held too
		{"other", "zip", "pw", "same-late", "closer"},           // 25h later: the window is closed
		{"other", "zip", "pw", "same-late", "closer"},           // orphan: held
		{"other", "zip", "pw", "same-late", "closer", "orphan"}, // Close
	}
	if len(emitted) != len(allowed) {
		t.Fatalf("emitted %v", emitted)
	}
	var sofar []model.MessageID
	for i := range allowed {
		sofar = append(sofar, emitted[i]...)
		for _, id := range sofar {
			if !slices.Contains(allowed[i], id) {
				t.Errorf("after step %d: %s already emitted (emitted so far %v)", i, id, sofar)
			}
		}
	}
	if len(sofar) != len(order) {
		t.Fatalf("emitted %v in all, want all %d messages once", sofar, len(order))
	}
	if !slices.Contains(emitted[1], "other") || !slices.Contains(emitted[4], "closer") {
		t.Errorf("messages that need no pairing were held: %v", emitted)
	}
	// A settled group keeps its listing order.
	if i, j, k := slices.Index(sofar, "zip"), slices.Index(sofar, "pw"), slices.Index(sofar, "same-late"); !(i < j && j < k) {
		t.Errorf("held messages out of listing order: %v", sofar)
	}
	if a := out["zip"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
		t.Errorf("zip: %+v", a)
	}
	if l := out["pw"].PasswordFor; len(l) != 1 || l[0].Message != "zip" || l[0].Filename != "見積書.zip" {
		t.Errorf("pw links %v", l)
	}
	if len(out["other"].PasswordFor) != 0 || len(out["same-late"].PasswordFor) != 0 {
		t.Error("a message that did not open the archive was marked")
	}
	if a := out["orphan"].Attachments[0].Archive; a.Decrypted {
		t.Errorf("orphan opened with a password from %s", a.PasswordSource)
	}
}

func TestStreamSameDomainAndRecipients(t *testing.T) {
	zipBytes := makeZip(t, "Dom-9876", yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")})
	mails := map[string]testMail{
		"zip":      {from: "sales@corp.example", to: "tanaka@sakura.example", subject: "資料", date: t0, msgID: "<z@c>", text: "x", zipName: "a.zip", zip: zipBytes},
		"wrong-to": {from: "it@corp.example", to: "other@sakura.example", subject: "パスワード", date: t0.Add(time.Minute), msgID: "<w@c>", text: "PW: Dom-9876"},
		"pw":       {from: "noreply@corp.example", to: "tanaka@sakura.example", subject: "パスワード", date: t0.Add(2 * time.Minute), msgID: "<p@c>", text: "PW: Dom-9876"},
	}
	_, out := streamMails(t, Config{}, mails, []string{"zip", "wrong-to", "pw"})
	if a := out["zip"].Attachments[0].Archive; !a.Decrypted || a.PasswordSource != "pw" {
		t.Errorf("zip: decrypted %v source %q", a.Decrypted, a.PasswordSource)
	}
}

func TestStreamWindowConfigurable(t *testing.T) {
	zipBytes := makeZip(t, "Late-5555", yzip.StandardEncryption, zipFile{"a.txt", []byte("hello")})
	mails := map[string]testMail{
		"zip": {from: "a@p.example", to: "b@s.example", subject: "資料", date: t0, msgID: "<z@p>", text: "x", zipName: "a.zip", zip: zipBytes},
		"pw":  {from: "a@p.example", to: "b@s.example", subject: "パスワード", date: t0.Add(2 * time.Hour), msgID: "<p@p>", text: "PW: Late-5555"},
	}
	for _, tt := range []struct {
		window time.Duration
		opened bool
	}{{time.Hour, false}, {3 * time.Hour, true}} {
		_, out := streamMails(t, Config{Window: tt.window}, mails, []string{"zip", "pw"})
		if got := out["zip"].Attachments[0].Archive.Decrypted; got != tt.opened {
			t.Errorf("window %v: opened %v, want %v", tt.window, got, tt.opened)
		}
	}
}

func TestStreamEmitError(t *testing.T) {
	boom := errors.New("disk full")
	st := NewStream(context.Background(), Config{}, memSource{}.open, func(model.Message) error { return boom })
	if err := st.Write(model.Message{ID: "a"}); !errors.Is(err, boom) {
		t.Fatalf("Write = %v", err)
	}
	if err := st.Write(model.Message{ID: "b"}); !errors.Is(err, boom) {
		t.Errorf("second Write = %v", err)
	}
	if err := st.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v", err)
	}
}

func TestPasswordRederived(t *testing.T) {
	zipBytes := makeZip(t, "Re-Derive#1", yzip.AES256Encryption, zipFile{"a.txt", []byte("hello")})
	src := memSource{
		"zip": rawMail(testMail{from: "a@p.example", to: "b@s.example", subject: "資料", date: t0, msgID: "<z@p>", text: "x", zipName: "a.zip", zip: zipBytes}),
		"pw":  rawMail(testMail{from: "a@p.example", to: "b@s.example", subject: "PW", date: t0, msgID: "<p@p>", html: "<p>パスワード：<b>Re-Derive#1</b></p>"}),
		"bad": rawMail(testMail{from: "a@p.example", to: "b@s.example", subject: "PW", date: t0, msgID: "<q@p>", text: "PW: nope-nope"}),
	}
	ctx := context.Background()
	m := analysis.New(analysis.Config{}).Analyze(ctx, "zip", bytes.NewReader(src["zip"]))
	link := m.LinkTo(0)
	if link.SHA256 == "" {
		t.Fatal("the archive has no digest")
	}
	pw, err := Password(ctx, Config{}, src.open, link, "pw")
	if err != nil || pw != "Re-Derive#1" {
		t.Errorf("Password = %q, %v", pw, err)
	}
	if _, err := Password(ctx, Config{}, src.open, link, "bad"); !errors.Is(err, ErrNoPassword) {
		t.Errorf("wrong source: err = %v", err)
	}
	missing := link
	missing.Attachment = 3
	if _, err := Password(ctx, Config{}, src.open, missing, "pw"); err == nil {
		t.Error("missing attachment: no error")
	}
	gone := link
	gone.Message = "gone"
	if _, err := Password(ctx, Config{}, src.open, gone, "pw"); err == nil {
		t.Error("missing message: no error")
	}
	// Other bytes than those paired, or a link without their digest: the
	// password would open an archive whose verdict nobody read.
	for _, sum := range []string{"", strings.Repeat("0", 64)} {
		other := link
		other.SHA256 = sum
		if _, err := Password(ctx, Config{}, src.open, other, "pw"); !errors.Is(err, ErrNotAsPaired) {
			t.Errorf("digest %q: err = %v", sum, err)
		}
	}
}
