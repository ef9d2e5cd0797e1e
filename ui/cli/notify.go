package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/text/encoding/japanese"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/termtext"
)

const notifyUsage = `usage: mxaudit notify SOURCE ID... --template NAME [--dry-run] [--force] [--yes] [--relay HOST:PORT]

Drafts a notification to the sender of each held message, one per sender
(several IDs from one sender make one notice), from the template NAME.tmpl
in [notify] templates_dir (default $XDG_CONFIG_HOME/mxaudit/templates) or a
shipped one: ppap-ja (Japanese, ISO-2022-JP), ppap-en (English). The draft
is printed; on a terminal, type yes to send it through the relay as a new
message. Every sending is audited; a partner (organizational domain)
notified within [notify] period (default 30 days), in this run or
before, is skipped unless --force.

Template fields: .SenderName .SenderAddress .Partner .Contact
.Organization .FromName .FromAddress .Alternative .Subject .Date .Files
.Messages (each .Subject .Date .Files .MessageID); functions join, date,
jdate. Blocks: {{define "subject"}}, {{define "body"}}, {{define "charset"}}
(UTF-8 or ISO-2022-JP).
`

// runNotify is "mxaudit notify SOURCE ID... --template NAME": telling
// partners, in their language, that their encrypted archives are held
// and what to use instead — the step of a rollout between finding who
// sends them (impact) and enforcing.
func runNotify(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("notify", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, notifyUsage); fs.PrintDefaults() }
	var common commonFlags
	common.register(fs)
	var f notifyFlags
	fs.StringVar(&f.template, "template", "", "template name (ppap-ja, ppap-en, or NAME.tmpl in the templates directory)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the drafts, send nothing")
	fs.BoolVar(&f.force, "force", false, "notify partners notified within the period again")
	fs.BoolVar(&f.yes, "yes", false, "send without asking (for scripts)")
	fs.StringVar(&f.relay, "relay", "", "SMTP relay HOST:PORT (default: relay from the configuration)")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return ExitUsage
	}
	switch {
	case len(positional) < 2:
		err = usagef("name the quarantine and the held messages")
	case f.template == "":
		err = usagef("--template is required (shipped: %s)", strings.Join(app.ShippedTemplates(), ", "))
	}
	if err == nil {
		var cfg Config
		if cfg, err = common.settings(fs); err == nil {
			err = notifyMain(ctx, &f, common.config, cfg, positional[0], positional[1:], env)
		}
	}
	return exitFor(err, "mxaudit notify", notifyUsage, env)
}

type notifyFlags struct {
	template, relay    string
	dryRun, force, yes bool
}

func notifyMain(ctx context.Context, f *notifyFlags, configPath string, cfg Config, spec string, ids []string, env Env) error {
	if cfg.Notify.From == "" {
		return fmt.Errorf("set from in the [notify] table of the configuration: notices need a sender address")
	}
	tmpl, err := app.LoadNoticeTemplate(app.TemplatesDir(cfg, env.getenv), f.template)
	if err != nil {
		return err
	}
	desk, err := app.OpenDesk(env.getenv, app.DeskPaths{Config: configPath}, lookupOSUser())
	if err != nil {
		return err
	}
	a, err := openApp(ctx, spec, cfg, env, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	held, err := loadMessages(ctx, a, false, ids)
	if err != nil {
		return err
	}
	groups, order := map[string][]model.Message{}, []string{}
	for _, m := range held {
		if m.FromAddr == "" {
			return fmt.Errorf("%s: no single sender address to notify", termtext.Sanitize(string(m.ID)))
		}
		k := strings.ToLower(m.FromAddr)
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], *m)
	}
	relay := firstNonEmpty(f.relay, cfg.Relay)
	failed := 0
	for i, k := range order {
		n, draft, err := buildNotice(cfg, tmpl, groups[k])
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "--- notice %d of %d: partner %s, template %s\n", i+1, len(order), termtext.Sanitize(n.Partner), tmpl.Name)
		if last, err := desk.LastNotice(n.Partner); err != nil {
			return err
		} else if !last.IsZero() && desk.Now.Sub(last) < app.NotifyPeriod(cfg) && !f.force {
			fmt.Fprintf(env.Stdout, "skipped: %s was notified on %s (within %s); --force to notify again\n\n",
				termtext.Sanitize(n.Partner), last.Format(time.DateOnly), app.NotifyPeriod(cfg))
			continue
		}
		printDraft(env.Stdout, n, draft)
		if f.dryRun {
			continue
		}
		if err := confirm(f.yes, "Type yes to send this notice to "+termtext.Sanitize(strings.Join(n.Rcpts, ", "))+": ", env); err != nil {
			return err
		}
		if err := desk.SendNotice(ctx, relay, a.Spec(), n); err != nil {
			fmt.Fprintf(env.Stderr, "mxaudit notify: %s: %v\n", termtext.Sanitize(n.Partner), err)
			failed++
			continue
		}
		fmt.Fprintf(env.Stdout, "sent to %s (audited)\n\n", termtext.Sanitize(strings.Join(n.Rcpts, ", ")))
	}
	if failed > 0 {
		return errSomeFailed
	}
	return nil
}

// buildNotice renders and encodes the notice about msgs, all from one
// sender: a new message to the sender, with the partner's contact in Cc.
func buildNotice(cfg Config, tmpl *app.NoticeTemplate, msgs []model.Message) (app.Notice, app.Draft, error) {
	data := app.NoticeDataFor(cfg.Notify, msgs)
	draft, err := tmpl.Render(data)
	if err != nil {
		return app.Notice{}, draft, err
	}
	h := app.NoticeHeaders{
		From:      mail.Address{Name: cfg.Notify.FromName, Address: cfg.Notify.From},
		To:        mail.Address{Name: data.SenderName, Address: data.SenderAddress},
		Date:      time.Now(),
		MessageID: newMessageID(cfg.Notify.From),
		InReplyTo: data.Messages[0].MessageID,
	}
	rcpts := []string{data.SenderAddress}
	if c := data.Contact; c != "" && !strings.EqualFold(c, data.SenderAddress) {
		h.Cc, rcpts = []string{c}, append(rcpts, c)
	}
	raw, charset := app.EncodeNotice(draft, h)
	draft.Charset = charset
	return app.Notice{Partner: data.Partner, Template: tmpl.Name, From: cfg.Notify.From, Rcpts: rcpts,
		Raw: raw, MessageID: h.MessageID, Held: msgs[0]}, draft, nil
}

// newMessageID is a unique Message-ID in the sender's domain.
func newMessageID(from string) string {
	var b [12]byte
	rand.Read(b[:])
	return "<notice." + hex.EncodeToString(b[:]) + from[strings.LastIndexByte(from, '@'):] + ">"
}

// printDraft shows the notice as its recipient will read it, decoded and
// sanitised line by line (the held mail's subject and file names are the
// partner's text).
func printDraft(w io.Writer, n app.Notice, d app.Draft) {
	dec := mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "iso-2022-jp") {
			return japanese.ISO2022JP.NewDecoder().Reader(r), nil
		}
		return nil, fmt.Errorf("charset %s", charset)
	}}
	head, _, _ := strings.Cut(string(n.Raw), "\r\n\r\n")
	for _, line := range strings.Split(strings.ReplaceAll(head, "\r\n ", " "), "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		switch name {
		case "From", "To", "Cc", "Subject", "Date", "In-Reply-To":
			if s, err := dec.DecodeHeader(line); err == nil {
				line = s
			}
			fmt.Fprintln(w, termtext.Sanitize(line))
		}
	}
	fmt.Fprintf(w, "(%s, %d bytes)\n\n", d.Charset, len(n.Raw))
	for _, line := range strings.Split(strings.TrimRight(d.Body, "\n"), "\n") {
		fmt.Fprintln(w, termtext.Sanitize(line))
	}
	fmt.Fprintln(w)
}
