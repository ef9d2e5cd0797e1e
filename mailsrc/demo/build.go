package demo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"mxaudit/model"
)

// mailSpec describes one message to generate.
type mailSpec struct {
	Key  string    // internal handle other specs refer to (PPAP pairing)
	Time time.Time // when the sender wrote it; the MTA receives it 2-40 s later

	From    []addr
	FromRaw string // when set, the From header value verbatim
	To, Cc  []addr
	// Charset encodes the display names and the subject; "" is ISO-2022-JP
	// for Japanese text, nothing for ASCII.
	Charset    string
	Subject    string
	SubjectRaw string // when set, the Subject header value verbatim
	Text       *textBody
	HTML       *textBody
	Atts       []attachmentSpec
	Mailer     string // X-Mailer

	Env  envelope
	DKIM []signing
	// Tamper is applied to the whole message after signing: the body
	// changed in transit.
	Tamper func([]byte) []byte
	// TrustedAR adds mx1's own Authentication-Results header.
	TrustedAR bool
	// ForgedAR adds a sender-made Authentication-Results claiming pass,
	// under that authserv-id.
	ForgedAR string
	// Mangle is applied last, to break the message on purpose.
	Mangle func([]byte) []byte

	Want Expect // the fields not derived from the spec
	// PasswordFor and PasswordMail, by Key; resolved to names later.
	passwordForKey, passwordMailKey string
}

// envelope is what the receiving MTA saw.
type envelope struct {
	MailFrom string // "" uses the From address; "<>" is the null sender
	ClientIP string
	Helo     string
	RDNS     string // "" records "unknown"
	SPF      model.Result
}

// signing is one DKIM signature to add and its expected verification.
type signing struct {
	Spec   dkimSpec
	Result model.Result
	Why    string
}

// attachmentSpec is one attached file and its expected analysis.
type attachmentSpec struct {
	Name        string
	Form        nameForm
	ContentType string
	Data        []byte
	Want        File
	// Part, when set, replaces the rendered MIME part (malformed samples).
	Part *part
}

// builder turns specs into samples; rng drives the incidental randomness
// (boundaries, queue ids) so that it follows the seed.
type builder struct {
	rng *rand.Rand
}

func newBuilder(seed uint64, stream uint64) *builder {
	return &builder{rng: rand.New(rand.NewPCG(seed, stream))}
}

// token returns n random characters from alphabet.
func (b *builder) token(n int, alphabet string) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[b.rng.IntN(len(alphabet))]
	}
	return string(out)
}

const (
	hexDigits   = "0123456789abcdef"
	queueDigits = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
)

// build renders a spec into raw bytes and completes its Expect.
func (b *builder) build(s *mailSpec) ([]byte, Expect, error) {
	want := s.Want
	var h []field
	from := ""
	if len(s.From) == 1 {
		from = s.From[0].domain()
	}
	switch {
	case s.FromRaw != "":
		h = append(h, field{"From", s.FromRaw})
	case len(s.From) > 0:
		h = append(h, field{"From", addrList(s.Charset, s.From)})
	}
	if len(s.To) > 0 {
		h = append(h, field{"To", addrList(s.Charset, s.To)})
	}
	if len(s.Cc) > 0 {
		h = append(h, field{"Cc", addrList(s.Charset, s.Cc)})
	}
	switch {
	case s.SubjectRaw != "":
		h = append(h, field{"Subject", s.SubjectRaw})
	default:
		h = append(h, field{"Subject", headerText(s.Charset, s.Subject)})
	}
	msgDomain := from
	if msgDomain == "" {
		msgDomain = "localhost.localdomain"
	}
	h = append(h,
		field{"Date", s.Time.Format(time.RFC1123Z)},
		field{"Message-ID", fmt.Sprintf("<%s.%s@%s>", s.Time.UTC().Format("20060102150405"), b.token(12, hexDigits), msgDomain)},
	)
	if s.Mailer != "" {
		h = append(h, field{"X-Mailer", s.Mailer})
	}
	h = append(h, field{"MIME-Version", "1.0"})

	body := b.bodyPart(s)
	root := &part{Header: append(h, body.Header...), Body: body.Body, Parts: body.Parts, Boundary: body.Boundary}
	var buf bytes.Buffer
	root.render(&buf)
	msg := buf.Bytes()

	for _, sg := range s.DKIM {
		sig, err := signDKIM(msg, sg.Spec)
		if err != nil {
			return nil, Expect{}, err
		}
		msg = append(sig, msg...)
		want.Auth.DKIM = append([]DKIMExpect{{
			Domain: sg.Spec.Domain, Selector: sg.Spec.Selector, Algorithm: keyAlgorithm(sg.Spec.Key),
			Result: sg.Result, Why: sg.Why,
		}}, want.Auth.DKIM...)
	}
	if s.Tamper != nil {
		msg = s.Tamper(msg)
	}

	mailFrom := s.Env.MailFrom
	if mailFrom == "" && len(s.From) > 0 {
		mailFrom = s.From[0].Address
	}
	if mailFrom == "<>" {
		mailFrom = ""
	}
	spfDomain := s.Env.Helo
	if mailFrom != "" {
		spfDomain = addr{Address: mailFrom}.domain()
	}
	want.Auth.ClientIP, want.Auth.Helo, want.Auth.MailFrom = s.Env.ClientIP, s.Env.Helo, mailFrom
	want.Auth.SPF, want.Auth.SPFDomain = s.Env.SPF, spfDomain
	want.FromCount = len(s.From)
	want.Auth = evalAuth(want.Auth, from, len(s.From))
	if s.ForgedAR != "" {
		want.Auth.IgnoredHeaders = append(want.Auth.IgnoredHeaders, s.ForgedAR)
	}
	want.Auth.TrustedHeader = s.TrustedAR

	msg = append(b.traceHeaders(s, mailFrom, want.Auth), msg...)
	if s.Mangle != nil {
		msg = s.Mangle(msg)
	}

	if want.Subject == "" {
		want.Subject = s.Subject
	}
	want.FromDomain = from
	for _, a := range s.Atts {
		want.Files = append(want.Files, a.Want)
	}
	want.Risks, want.Attachment = summarize(want.Files, want.Malformed)
	return msg, want, nil
}

// summarize applies Expect's verdict rule to the files.
func summarize(files []File, malformed bool) ([]model.Risk, model.AttachmentVerdict) {
	var risks []model.Risk
	encrypted, broken := false, false
	for _, f := range files {
		for _, r := range f.Risks {
			risks = model.AddRisk(risks, r)
		}
		if f.Archive != nil && f.Archive.Encrypted {
			encrypted = true
		}
		if f.DecodeError {
			broken = true
		}
	}
	switch {
	case encrypted:
		return risks, model.AttachmentEncrypted
	case broken || malformed:
		return risks, model.AttachmentError
	case len(risks) > 0:
		return risks, model.AttachmentRisky
	}
	return risks, model.AttachmentClean
}

// bodyPart builds the message body: a single text part, or
// multipart/alternative for text+HTML, wrapped in multipart/mixed when
// files are attached.
func (b *builder) bodyPart(s *mailSpec) *part {
	var content *part
	switch {
	case s.Text != nil && s.HTML != nil:
		content = &part{
			Header:   []field{{"Content-Type", "multipart/alternative;\r\n\tboundary=\"" + b.boundary() + "\""}},
			Parts:    []*part{s.Text.leaf(), s.HTML.leaf()},
			Boundary: "",
		}
		content.Boundary = boundaryOf(content.Header[0].Value)
	case s.HTML != nil:
		content = s.HTML.leaf()
	case s.Text != nil:
		content = s.Text.leaf()
	default:
		content = textBody{Text: ""}.leaf()
	}
	if len(s.Atts) == 0 {
		return content
	}
	bd := b.boundary()
	mixed := &part{
		Header:   []field{{"Content-Type", "multipart/mixed;\r\n\tboundary=\"" + bd + "\""}},
		Parts:    []*part{content},
		Boundary: bd,
	}
	for _, a := range s.Atts {
		p := a.Part
		if p == nil {
			p = attachmentPart(a.ContentType, a.Name, a.Form, a.Data)
		}
		mixed.Parts = append(mixed.Parts, p)
	}
	return mixed
}

// boundary returns a fresh multipart boundary in the style of common
// mailers.
func (b *builder) boundary() string {
	return "----=_Part_" + b.token(6, "0123456789") + "_" + b.token(10, "0123456789") + "." + b.token(13, "0123456789")
}

// boundaryOf extracts the boundary parameter the builder itself wrote.
func boundaryOf(ct string) string {
	_, after, _ := strings.Cut(ct, "boundary=\"")
	bd, _, _ := strings.Cut(after, "\"")
	return bd
}

// traceHeaders returns what the receiving side prepends: Return-Path,
// Delivered-To, X-Original-To, mx1's Authentication-Results, the trusted
// Received hop, and the sender's own outbound hop (with a forged
// Authentication-Results under it when the spec asks for one).
func (b *builder) traceHeaders(s *mailSpec, mailFrom string, a AuthExpect) []byte {
	rcpt := "soumu@sakura-shoji.example"
	if len(s.To) > 0 {
		rcpt = s.To[0].Address
	}
	recv := s.Time.Add(time.Duration(2+b.rng.IntN(38)) * time.Second)
	ipLit := "[" + s.Env.ClientIP + "]"
	if strings.Contains(s.Env.ClientIP, ":") {
		ipLit = "[IPv6:" + s.Env.ClientIP + "]"
	}
	rdns := s.Env.RDNS
	if rdns == "" {
		rdns = "unknown"
	}
	var out strings.Builder
	fmt.Fprintf(&out, "Return-Path: <%s>\r\n", mailFrom)
	fmt.Fprintf(&out, "X-Original-To: %s\r\nDelivered-To: %s\r\n", rcpt, rcpt)
	if s.TrustedAR {
		from := ""
		if len(s.From) == 1 {
			from = s.From[0].domain()
		}
		out.WriteString(authResultsHeader(TrustedMTA, a, from))
	}
	fmt.Fprintf(&out, "Received: from %s (%s %s)\r\n\tby %s (Postfix) with ESMTPS id 4%s\r\n\tfor <%s>; %s\r\n",
		s.Env.Helo, rdns, ipLit, TrustedMTA, b.token(11, queueDigits), rcpt, recv.Format(time.RFC1123Z))
	if s.ForgedAR != "" {
		fmt.Fprintf(&out, "Authentication-Results: %s;\r\n\tspf=pass smtp.mailfrom=%s;\r\n\tdkim=pass header.d=%s;\r\n\tdmarc=pass header.from=%s\r\n",
			s.ForgedAR, a.SPFDomain, a.SPFDomain, a.SPFDomain)
	}
	if s.Env.Helo != "" && !strings.HasPrefix(s.Env.Helo, "[") {
		lan := fmt.Sprintf("10.%d.%d.%d", 1+b.rng.IntN(20), b.rng.IntN(250), 2+b.rng.IntN(250))
		fmt.Fprintf(&out, "Received: from [%s] (unknown [%s])\r\n\tby %s with ESMTPSA id %s;\r\n\t%s\r\n",
			lan, lan, s.Env.Helo, b.token(10, queueDigits), s.Time.Add(time.Second).Format(time.RFC1123Z))
	}
	return []byte(out.String())
}

// authResultsHeader renders an RFC 8601 header with the given results.
func authResultsHeader(authserv string, a AuthExpect, from string) string {
	var parts []string
	spf := "spf=" + string(a.SPF)
	if a.MailFrom != "" {
		spf += " smtp.mailfrom=" + a.MailFrom
	} else {
		spf += " smtp.helo=" + a.Helo
	}
	parts = append(parts, spf)
	if len(a.DKIM) == 0 {
		parts = append(parts, "dkim=none")
	}
	for _, d := range a.DKIM {
		parts = append(parts, fmt.Sprintf("dkim=%s header.d=%s header.s=%s", d.Result, d.Domain, d.Selector))
	}
	dm := "dmarc=" + string(a.DMARC)
	if a.Policy != "" {
		dm += fmt.Sprintf(" (p=%s dis=%s)", strings.ToUpper(string(a.Policy)), strings.ToUpper(string(a.Disposition)))
	}
	if from != "" {
		dm += " header.from=" + from
	}
	parts = append(parts, dm)
	return "Authentication-Results: " + authserv + ";\r\n\t" + strings.Join(parts, ";\r\n\t") + "\r\n"
}
