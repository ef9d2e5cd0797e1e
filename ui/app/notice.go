package app

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"mxaudit/model"
)

// NotifyConfig is the [notify] table: who partner notifications come
// from and what they propose instead of encrypted archives.
type NotifyConfig struct {
	// From is the sender address of notifications (and the envelope
	// sender); FromName the person or team named in them.
	From     string `toml:"from"`
	FromName string `toml:"from_name"`
	// Organization is your organisation's name, as the templates sign.
	Organization string `toml:"organization"`
	// Alternative is what partners should use instead ("our file
	// transfer service https://files.example.co.jp").
	Alternative string `toml:"alternative"`
	// TemplatesDir holds NAME.tmpl templates (default
	// $XDG_CONFIG_HOME/mxaudit/templates); a template there overrides a
	// shipped one of the same name.
	TemplatesDir string `toml:"templates_dir"`
	// Period is how long after a notification the same partner is not
	// notified again without --force (default 720h, 30 days).
	Period Duration `toml:"period"`
	// Contacts maps a partner (organizational domain) to the address of
	// its contact person, who is sent a copy.
	Contacts map[string]string `toml:"contacts"`
	// UserDomain turns an operator's user name into a mail address for
	// exception reminders ("sato" becomes sato@UserDomain); Users names
	// addresses one by one and wins.
	UserDomain string            `toml:"user_domain"`
	Users      map[string]string `toml:"users"`
}

// DefaultNotifyPeriod is the default of [notify] period.
const DefaultNotifyPeriod = 30 * 24 * time.Hour

//go:embed templates/*.tmpl
var shippedTemplates embed.FS

// templateName is what a template may be called: it becomes a file name.
var templateName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// NoticeTemplate is a parsed notification template: its "subject",
// "body" and "charset" blocks.
type NoticeTemplate struct {
	Name string
	t    *template.Template
}

// templateFuncs are the helpers the templates may call.
var templateFuncs = template.FuncMap{
	"join":  strings.Join,
	"date":  func(t time.Time) string { return t.Format("Mon, 2 Jan 2006 15:04 MST") },
	"jdate": func(t time.Time) string { return t.Format("2006年1月2日 15:04") },
}

// LoadNoticeTemplate finds template name in dir (when set), else among
// the shipped ones (ppap-ja, ppap-en).
func LoadNoticeTemplate(dir, name string) (*NoticeTemplate, error) {
	if !templateName.MatchString(name) {
		return nil, fmt.Errorf("template %q: a name is letters, digits, '-', '_' and '.'", name)
	}
	file := name + ".tmpl"
	var text []byte
	var err error
	if dir != "" {
		text, err = os.ReadFile(filepath.Join(dir, file))
	}
	if dir == "" || errors.Is(err, fs.ErrNotExist) {
		text, err = shippedTemplates.ReadFile("templates/" + file)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("template %q: not in %s and not shipped (shipped: %s)", name, orNone(dir), strings.Join(ShippedTemplates(), ", "))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("template %q: %w", name, err)
	}
	t, err := template.New(name).Funcs(templateFuncs).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("template %q: %w", name, err)
	}
	for _, block := range []string{"subject", "body"} {
		if t.Lookup(block) == nil {
			return nil, fmt.Errorf("template %q: no {{define %q}} block", name, block)
		}
	}
	return &NoticeTemplate{Name: name, t: t}, nil
}

// ShippedTemplates names the templates built into mxaudit.
func ShippedTemplates() []string {
	entries, _ := shippedTemplates.ReadDir("templates")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".tmpl"))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(no templates_dir)"
	}
	return s
}

// NoticeData is what a template sees. Everything from the held mail is
// the partner's own text, put back in a message to the partner.
type NoticeData struct {
	// SenderName and SenderAddress are the held mail's From.
	SenderName, SenderAddress string
	// Partner is the sender's organizational domain; Contact its contact
	// person from [notify] contacts, "" when unknown.
	Partner, Contact string
	// Organization, FromName, FromAddress, Alternative come from
	// [notify].
	Organization, FromName, FromAddress, Alternative string
	// Messages are the held messages the notice is about.
	Messages []NoticeMessage
	// Subject, Date and Files are the first message's, for templates
	// about one message.
	Subject string
	Date    time.Time
	Files   []string
}

// NoticeMessage is one held message in a notice.
type NoticeMessage struct {
	Subject string
	Date    time.Time
	Files   []string
	// MessageID is its Message-ID header, which the notice answers.
	MessageID string
}

// NoticeDataFor fills the template fields for the held messages msgs,
// all from one sender.
func NoticeDataFor(cfg NotifyConfig, msgs []model.Message) NoticeData {
	first := msgs[0]
	d := NoticeData{
		SenderName: senderName(first), SenderAddress: first.FromAddr,
		Partner:      model.PartnerDomain(&first),
		Organization: cfg.Organization, FromName: cfg.FromName, FromAddress: cfg.From,
		Alternative: cfg.Alternative,
	}
	d.Contact = cfg.Contacts[d.Partner]
	for _, m := range msgs {
		var files []string // the attachments, not what is inside them
		for _, a := range m.Attachments {
			if a.Filename != "" && !slices.Contains(files, a.Filename) {
				files = append(files, a.Filename)
			}
		}
		d.Messages = append(d.Messages, NoticeMessage{Subject: m.Subject, Date: m.Date, Files: files, MessageID: m.MessageID})
	}
	d.Subject, d.Date, d.Files = d.Messages[0].Subject, d.Messages[0].Date, d.Messages[0].Files
	return d
}

// senderName is From's display name, "" when it has none.
func senderName(m model.Message) string {
	if n := m.DisplayFrom(); n != m.FromAddr && n != strings.TrimSpace(m.From) {
		return n
	}
	return ""
}

// Draft is a rendered notice before it is encoded.
type Draft struct {
	Charset       string // "ISO-2022-JP" or "UTF-8"
	Subject, Body string
}

// Render runs the template on d.
func (t *NoticeTemplate) Render(d NoticeData) (Draft, error) {
	run := func(block string) (string, error) {
		if t.t.Lookup(block) == nil {
			return "", nil
		}
		var b strings.Builder
		if err := t.t.ExecuteTemplate(&b, block, d); err != nil {
			return "", fmt.Errorf("template %q: %w", t.Name, err)
		}
		return b.String(), nil
	}
	var dr Draft
	var err error
	if dr.Charset, err = run("charset"); err != nil {
		return dr, err
	}
	dr.Charset = strings.ToUpper(strings.TrimSpace(dr.Charset))
	if dr.Charset == "" {
		dr.Charset = "UTF-8"
	}
	if dr.Charset != "UTF-8" && dr.Charset != "ISO-2022-JP" {
		return dr, fmt.Errorf("template %q: charset %q: want UTF-8 or ISO-2022-JP", t.Name, dr.Charset)
	}
	if dr.Subject, err = run("subject"); err != nil {
		return dr, err
	}
	// A subject is one line: whatever the held mail's subject carried
	// in line breaks must not start new header fields.
	dr.Subject = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, dr.Subject))
	if dr.Body, err = run("body"); err != nil {
		return dr, err
	}
	dr.Body = strings.TrimLeft(dr.Body, "\r\n")
	return dr, nil
}
