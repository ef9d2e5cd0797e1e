package analysis

import (
	"fmt"
	"slices"
	"strings"

	"mxaudit/analysis/auth"
	"mxaudit/model"
)

// composeVerdict sets m.Verdict.Attachment and the reasons from the
// attachments found and the structural problems met on the way. An
// encrypted archive outranks a risky file (nothing inside it can be
// checked), which outranks an unreadable message.
//
// An encrypted archive anywhere inside an attachment (nested at any depth,
// or concatenated with another) makes it encrypted, the reason naming the
// path ("docs.zip/inner.zip: encrypted ZIP (ZipCrypto)..."). An archive
// of which nothing could be listed (broken-archive on the archive itself
// and no entry: a declared archive with none inside) makes it an error,
// which outranks risky: nobody could look inside. A damaged archive whose
// entries were partly recovered stays risky, with those entries judged.
func composeVerdict(m *model.Message, problems []string) {
	var encrypted, unreadable, risky, broken []string
	for i := range m.Attachments {
		a := &m.Attachments[i]
		name := quoteName(a.Filename)
		if a.Error != "" {
			broken = append(broken, name+": "+a.Error)
		}
		if arc := a.Archive; arc != nil {
			encrypted = appendEncrypted(encrypted, arc, name)
			risky = appendMismatches(risky, arc, name)
			switch {
			case arc.Error != "" && len(arc.Entries) == 0 && slices.Contains(arc.Risks, model.RiskBrokenArchive):
				unreadable = append(unreadable, name+": "+arc.Error)
			case arc.Error != "":
				risky = append(risky, name+": "+arc.Error)
			}
		}
		if len(a.Risks) > 0 {
			risky = append(risky, name+": "+describeRisks(a))
		}
	}

	v := &m.Verdict
	switch {
	case len(encrypted) > 0:
		v.Attachment = model.AttachmentEncrypted
	case len(unreadable) > 0:
		v.Attachment = model.AttachmentError
	case len(risky) > 0:
		v.Attachment = model.AttachmentRisky
	case len(broken) > 0 || len(problems) > 0:
		v.Attachment = model.AttachmentError
	default:
		v.Attachment = model.AttachmentClean
	}
	if len(problems) > 0 && m.Error == "" && len(m.Attachments) == 0 && m.From == "" && m.Subject == "" {
		m.Error = problems[0]
	}

	var reasons []string
	reasons = append(reasons, encrypted...)
	reasons = append(reasons, unreadable...)
	reasons = append(reasons, risky...)
	reasons = append(reasons, broken...)
	reasons = append(reasons, problems...)
	if m.Auth != nil {
		_, authReasons := auth.Verdict(m.Auth)
		reasons = append(reasons, authReasons...)
	}
	v.Reasons = reasons
}

// appendEncrypted appends a reason for arc and for every archive inside
// it (nested entries, concatenated archives) that is encrypted; path
// names arc.
func appendEncrypted(out []string, arc *model.Archive, path string) []string {
	if arc.Encrypted {
		out = append(out, path+": "+describeEncryption(arc))
	}
	for i := range arc.Entries {
		if e := &arc.Entries[i]; e.Archive != nil {
			out = appendEncrypted(out, e.Archive, path+"/"+e.Name)
		}
	}
	for _, o := range arc.Others {
		out = appendEncrypted(out, o, fmt.Sprintf("%s (%s at byte %d)", path, formatLabel(o.Format), o.Offset))
	}
	return out
}

// maxMismatchReasons bounds the header disagreements spelled out per
// attachment; the rest are in the JSON entries.
const maxMismatchReasons = 3

// appendMismatches appends, for up to maxMismatchReasons entries of arc
// (nested and concatenated archives included) whose two ZIP headers
// disagree, a reason giving both values.
func appendMismatches(out []string, arc *model.Archive, path string) []string {
	n := 0
	var walk func(a *model.Archive, p string)
	walk = func(a *model.Archive, p string) {
		for i := range a.Entries {
			e := &a.Entries[i]
			if e.Mismatch != "" && n < maxMismatchReasons {
				out = append(out, fmt.Sprintf("%s/%s: the central directory and the local header disagree (%s)", p, e.Name, e.Mismatch))
				n++
			}
			if e.Archive != nil {
				walk(e.Archive, p+"/"+e.Name)
			}
		}
		for _, o := range a.Others {
			walk(o, p)
		}
	}
	walk(arc, path)
	return out
}

// describeEncryption says how an archive is encrypted, for example
// "encrypted ZIP (AES-256), 3 of 3 entries encrypted".
func describeEncryption(arc *model.Archive) string {
	if arc.TotalEntries == 0 && slices.Contains(arc.Risks, model.RiskEncryptedHeaders) {
		return fmt.Sprintf("encrypted %s (%s), headers encrypted: not even the names can be listed", formatLabel(arc.Format), EncryptionLabel(arc.Encryption))
	}
	n := 0
	for _, e := range arc.Entries {
		if e.Encrypted {
			n++
		}
	}
	return fmt.Sprintf("encrypted %s (%s), %d of %d entries encrypted", formatLabel(arc.Format), EncryptionLabel(arc.Encryption), n, arc.TotalEntries)
}

// formatLabel is the human name of an archive format.
func formatLabel(format string) string {
	switch format {
	case "7z":
		return "7z"
	case "rar":
		return "RAR"
	}
	return "ZIP"
}

// EncryptionLabel is the human name of an encryption method.
func EncryptionLabel(e model.Encryption) string {
	switch e {
	case model.EncryptionZipCrypto:
		return "ZipCrypto"
	case model.EncryptionAES128:
		return "AES-128"
	case model.EncryptionAES192:
		return "AES-192"
	case model.EncryptionAES256:
		return "AES-256"
	case model.EncryptionStrong:
		return "PKWARE strong encryption"
	case model.EncryptionNone:
		return "none"
	}
	return "unknown method"
}

// describeRisks lists an attachment's risks and, for an archive, up to
// three of the entries that carry them.
func describeRisks(a *model.Attachment) string {
	words := make([]string, len(a.Risks))
	for i, r := range a.Risks {
		words[i] = string(r)
	}
	s := strings.Join(words, ", ")
	if a.Archive == nil {
		return s
	}
	var inside []string
	var collect func(arc *model.Archive, path string)
	collect = func(arc *model.Archive, path string) {
		for _, e := range arc.Entries {
			if len(inside) >= 3 {
				return
			}
			if len(e.Risks) > 0 && e.Archive == nil {
				rs := make([]string, len(e.Risks))
				for i, r := range e.Risks {
					rs[i] = string(r)
				}
				inside = append(inside, fmt.Sprintf("%s (%s)", path+e.Name, strings.Join(rs, ", ")))
			}
			if e.Archive != nil {
				collect(e.Archive, path+e.Name+"/")
			}
		}
		for _, o := range arc.Others {
			collect(o, path)
		}
	}
	collect(a.Archive, "")
	if len(inside) > 0 {
		s += "; contains " + strings.Join(inside, ", ")
	}
	return s
}

func quoteName(name string) string {
	if name == "" {
		return "unnamed attachment"
	}
	return name
}
