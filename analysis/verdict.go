package analysis

import (
	"fmt"
	"strings"

	"mxaudit/analysis/auth"
	"mxaudit/model"
)

// composeVerdict sets m.Verdict.Attachment and the reasons from the
// attachments found and the structural problems met on the way. An
// encrypted archive outranks a risky file (nothing inside it can be
// checked), which outranks an unreadable message.
func composeVerdict(m *model.Message, problems []string) {
	var encrypted, risky, broken []string
	for i := range m.Attachments {
		a := &m.Attachments[i]
		name := quoteName(a.Filename)
		if a.Error != "" {
			broken = append(broken, name+": "+a.Error)
		}
		if arc := a.Archive; arc != nil {
			if arc.Encrypted {
				encrypted = append(encrypted, name+": "+describeEncryption(arc))
			}
			if arc.Error != "" {
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
	reasons = append(reasons, risky...)
	reasons = append(reasons, broken...)
	reasons = append(reasons, problems...)
	if m.Auth != nil {
		_, authReasons := auth.Verdict(m.Auth)
		reasons = append(reasons, authReasons...)
	}
	v.Reasons = reasons
}

// describeEncryption says how an archive is encrypted, for example
// "encrypted ZIP (AES-256), 3 of 3 entries encrypted".
func describeEncryption(arc *model.Archive) string {
	n := 0
	for _, e := range arc.Entries {
		if e.Encrypted {
			n++
		}
	}
	return fmt.Sprintf("encrypted ZIP (%s), %d of %d entries encrypted", EncryptionLabel(arc.Encryption), n, arc.TotalEntries)
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
