package analysis

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-message"

	"mxaudit/analysis/archive"
	"mxaudit/analysis/filetype"
	"mxaudit/analysis/mimetext"
	"mxaudit/model"
)

// maxMIMEDepth bounds multipart and message/rfc822 nesting. Legitimate mail
// rarely goes past 5; a crafted message could nest thousands of levels to
// exhaust the stack.
const maxMIMEDepth = 32

// walker visits the MIME tree of one message and collects its attachments.
type walker struct {
	a    *Analyzer
	msg  *model.Message
	errs []string // structural problems, in the order met
	// trustElided honours model.ElidedHeader: only for messages a
	// source rebuilt itself; in real mail that header is attacker text.
	trustElided bool
	// text, when set, collects the subject and body text that PPAP
	// pairing searches for passwords (Config.PairingText, ReadBack).
	text    *mimetext.BodyText
	subject string
	// back, when set, makes the walk a read-back (ReadBack): attachments
	// are counted and the wanted ones kept, not inspected.
	back *readBack
	// parsed is set once the message's header has been read.
	parsed bool
}

func (w *walker) problem(format string, args ...any) {
	if len(w.errs) < 8 {
		w.errs = append(w.errs, fmt.Sprintf(format, args...))
	}
}

// walk visits e and its descendants. prefix names the enclosing attached
// message, if any, so that files inside forwarded mail are recognisable.
func (w *walker) walk(e *message.Entity, depth int, prefix string) {
	if depth > maxMIMEDepth {
		w.problem("MIME nesting deeper than %d levels; the rest was not inspected", maxMIMEDepth)
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil && part == nil {
				w.problem("malformed multipart structure: %v", err)
				return
			}
			if err != nil {
				w.problem("part with %v", err)
			}
			w.walk(part, depth+1, prefix)
		}
	}
	w.leaf(e, depth, prefix)
}

// leaf handles a part that is not multipart: an attachment, an attached
// message, or body text.
func (w *walker) leaf(e *message.Entity, depth int, prefix string) {
	ct := mimetext.MediaType(e.Header.Get("Content-Type"))
	cd := e.Header.Get("Content-Disposition")
	name := mimetext.Param(cd, "filename")
	if name == "" {
		name = mimetext.Param(e.Header.Get("Content-Type"), "name")
	}

	if size, ok := w.elidedSize(e.Header); ok {
		// The source left this body out: judge the file by its name and
		// report the size it announced; what nobody fetched was not
		// inspected, so it is never clean (review finding 7).
		if isAttachment(ct, mimetext.MediaType(cd), name) || strings.HasPrefix(ct, "message/") || strings.HasPrefix(ct, "image/") {
			w.msg.Attachments = append(w.msg.Attachments, elidedAttachment(prefix+name, name, ct, size))
		}
		return
	}

	// A message/* body is walked at every depth, the top level included: a
	// mail whose whole body is a forwarded mail (RFC 2046 section 5.2.1)
	// carries its attachments there, and maxMIMEDepth bounds the recursion.
	if ct == "message/rfc822" || ct == "message/global" {
		inner, err := message.Read(e.Body)
		if err != nil && inner == nil {
			w.problem("attached message %q cannot be parsed: %v", name, err)
			_, _ = io.Copy(io.Discard, e.Body)
			return
		}
		label := name
		if label == "" {
			label = mimetext.DecodeHeaderText(inner.Header.Get("Subject"))
			if label == "" {
				label = "attached message"
			}
		}
		// The source rebuilds only the outer structure; inside an attached
		// message every header is the sender's, the elision mark too.
		trust := w.trustElided
		w.trustElided = false
		w.walk(inner, depth+1, prefix+label+"/")
		w.trustElided = trust
		return
	}

	if !isAttachment(ct, mimetext.MediaType(cd), name) && strings.HasPrefix(ct, "image/") {
		// An inline picture (multipart/related, Content-ID, no name) is
		// still bytes unzip and 7-Zip open: a GIF header followed by an
		// encrypted ZIP is one. It is searched for archives and listed
		// only when one is found (review finding 9).
		body, kept := w.back.capture(mimetext.TransferDecoded(e.Body), len(w.msg.Attachments))
		if att := w.a.inspect(body, name, ct); att.Archive != nil {
			att.Filename = prefix + att.Filename
			w.back.keep(len(w.msg.Attachments), kept, body)
			w.msg.Attachments = append(w.msg.Attachments, att)
		}
		return
	}
	if !isAttachment(ct, mimetext.MediaType(cd), name) {
		// Body text: read through so that transfer-decoding errors are
		// noticed and the stream advances to the next part; its charset
		// is converted only when pairing is to read the text.
		var err error
		if w.text != nil && mimetext.IsBodyText(ct) {
			err = w.text.Collect(e.Body, ct == "text/html")
		} else {
			_, err = io.Copy(io.Discard, mimetext.TransferDecoded(e.Body))
		}
		if err != nil {
			w.problem("body part (%s) cannot be decoded: %v", ct, err)
		}
		return
	}
	if w.back != nil {
		w.back.read(mimetext.TransferDecoded(e.Body), len(w.msg.Attachments))
		w.msg.Attachments = append(w.msg.Attachments, model.Attachment{})
		return
	}
	// The file's bytes as the recipient's client saves them: a text/*
	// attachment is not converted from its charset (see
	// mimetext.TransferDecoded).
	att := w.a.inspect(mimetext.TransferDecoded(e.Body), name, ct)
	if prefix != "" {
		att.Filename = prefix + att.Filename
	}
	w.msg.Attachments = append(w.msg.Attachments, att)
}

// elidedAttachment is a part whose body the source did not fetch. Text is
// judged by its name; anything else (a picture that may be a polyglot, an
// attached message, a part over the fetch limit) is not-inspected, and a
// declared archive gets a listing that says it was not inspected.
func elidedAttachment(label, name, ct string, size int64) model.Attachment {
	att := model.Attachment{Filename: label, ContentType: ct, Size: size, Risks: filetype.NameRisks(name)}
	if strings.HasPrefix(ct, "text/") && !filetype.IsDeclaredArchive(name, ct) {
		return att
	}
	att.Risks = model.AddRisk(att.Risks, model.RiskNotInspected)
	if filetype.IsDeclaredArchive(name, ct) {
		att.Archive = &model.Archive{
			Format:    archiveFormat(filetype.KindUnknown, name),
			Truncated: true,
			Risks:     []model.Risk{model.RiskNotInspected},
			Error:     fmt.Sprintf("archive of %s was not fetched from the server; not inspected", humanBytes(size)),
		}
	}
	return att
}

// elidedSize reports whether a part's body was left out by the source and,
// if so, its decoded size estimated from the stored octets.
func (w *walker) elidedSize(h message.Header) (int64, bool) {
	if !w.trustElided {
		return 0, false
	}
	v := strings.TrimSpace(h.Get(model.ElidedHeader))
	if v == "" {
		return 0, false
	}
	octets, err := strconv.ParseInt(v, 10, 64)
	if err != nil || octets < 0 {
		return 0, false
	}
	info := model.PartInfo{Encoding: strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))), Size: octets}
	return info.DecodedSize(), true
}

// isAttachment decides whether a leaf part is a file. Inline parts with a
// file name count: mailers mark ZIPs inline too. Unnamed text and images
// are body content.
func isAttachment(ct, disposition, name string) bool {
	switch {
	case disposition == "attachment", name != "":
		return true
	case strings.HasPrefix(ct, "text/"), strings.HasPrefix(ct, "image/"), ct == "":
		return false
	case strings.HasPrefix(ct, "multipart/"), strings.HasPrefix(ct, "message/"):
		return false
	}
	return true
}

// inspect reads one attachment's decoded body and judges it. Every
// attachment is buffered once, up to MaxArchiveBytes, in pooled chunks,
// while the content scanner sees the same bytes as they pass; the buffer
// is then searched for archives (ZIP, 7z, RAR) anywhere in it, not only at
// its start: unzip and 7-Zip open archives behind junk, a GIF header or
// another archive. A file that claims to be an archive (name or type) and
// holds none is unreadable, never clean.
func (a *Analyzer) inspect(body io.Reader, name, ct string) model.Attachment {
	att := model.Attachment{Filename: name, ContentType: ct, Risks: filetype.NameRisks(name)}
	br := getReader(body)
	defer putReader(br)
	head, _ := br.Peek(readerSize)
	magic := filetype.Sniff(head)
	declared := filetype.IsDeclaredArchive(name, ct) || magic == filetype.KindZip ||
		magic == filetype.Kind7z || magic == filetype.KindRAR

	var buf chunkBuffer
	defer buf.Release()
	sc := filetype.NewScanner(name)
	total, over, err := buf.Fill(io.TeeReader(br, sc), a.cfg.MaxArchiveBytes)
	att.Size = total
	if err != nil {
		att.Error = fmt.Sprintf("cannot decode attachment: %v", err)
	}
	for _, r := range sc.Risks() {
		att.Risks = model.AddRisk(att.Risks, r)
	}
	if over {
		if arc := archive.InspectTail(buf.past.Tail(), total, a.cfg.Archive); arc != nil {
			// The end record and the directory were in the last bytes:
			// the names and the encryption are known, the contents not.
			arc.Error = fmt.Sprintf("archive of %s is larger than the %s inspection limit; listed from its central directory only, contents not inspected", humanBytes(total), humanBytes(a.cfg.MaxArchiveBytes))
			att.Archive = arc
			for _, r := range arc.AllRisks() {
				att.Risks = model.AddRisk(att.Risks, r)
			}
			return att
		}
	}
	switch {
	case over && (declared || buf.past.seen):
		// An archive whose end (a ZIP's directory, APPNOTE 4.3.16) lies
		// past the limit cannot be listed: not-inspected, never clean
		// (review finding 6). A picture with a ZIP signature past the
		// limit is one: unzip reads it from the end.
		att.Archive = &model.Archive{
			Format:    archiveFormat(magic, name),
			Truncated: true,
			Risks:     []model.Risk{model.RiskNotInspected},
			Error:     fmt.Sprintf("archive of %s is larger than the %s inspection limit; not inspected", humanBytes(total), humanBytes(a.cfg.MaxArchiveBytes)),
		}
		if !declared {
			att.Archive.Error = fmt.Sprintf("archive signature past the %s inspection limit of a %s file; not inspected", humanBytes(a.cfg.MaxArchiveBytes), humanBytes(total))
		}
		att.Risks = model.AddRisk(att.Risks, model.RiskNotInspected)
		return att
	}
	att.Archive = archive.InspectFound(&buf, buf.Size(), name, a.cfg.Archive)
	if over && att.Archive != nil {
		// Archives in the bytes held were listed; the rest was not seen.
		att.Archive.Truncated = true
		att.Archive.Risks = model.AddRisk(att.Archive.Risks, model.RiskNotInspected)
	}
	if arc := att.Archive; arc != nil && arc.Pairable() && !over {
		// What pairing may decrypt later: it decrypts only these bytes.
		arc.SHA256 = bufferDigest(&buf)
	}
	switch {
	case att.Archive != nil:
	case declared:
		att.Archive = &model.Archive{
			Format: archiveFormat(magic, name),
			Error:  "declared as an archive (name, type or magic bytes) but no readable ZIP, 7z or RAR archive is in it: it cannot be inspected",
			Risks:  []model.Risk{model.RiskBrokenArchive},
		}
	default:
		return att
	}
	for _, r := range att.Archive.AllRisks() {
		att.Risks = model.AddRisk(att.Risks, r)
	}
	return att
}

// archiveFormat names the format an attachment claims, for messages about
// archives that could not be read.
func archiveFormat(magic filetype.Kind, name string) string {
	switch {
	case magic == filetype.Kind7z || strings.HasSuffix(strings.ToLower(name), ".7z"):
		return "7z"
	case magic == filetype.KindRAR || strings.HasSuffix(strings.ToLower(name), ".rar"):
		return "rar"
	}
	return "zip"
}

// humanBytes formats a byte count for reasons and errors.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
