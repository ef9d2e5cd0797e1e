package model

import "strings"

// DisplayFrom returns what the list shows for the sender: the display name
// of From when it has one, else the address, else the raw header.
func (m *Message) DisplayFrom() string {
	from := strings.TrimSpace(m.From)
	if i := strings.LastIndexByte(from, '<'); i >= 0 {
		name := strings.TrimSpace(from[:i])
		name = strings.Trim(name, `"`)
		name = strings.TrimSpace(name)
		if name != "" {
			return name
		}
	}
	if m.FromAddr != "" {
		return m.FromAddr
	}
	return from
}

// SPFResult returns the SPF result, or "" when the message was analysed
// without authentication.
func (m *Message) SPFResult() Result {
	if m.Auth == nil {
		return ""
	}
	return m.Auth.SPF.Result
}

// DKIMSummary sums up the DKIM signatures in one result: the best result
// among signatures aligned with the From domain, else the best among the
// others with aligned false; ResultNone when the message is unsigned and
// "" when it was analysed without authentication. An unaligned pass does
// not help DMARC, which is why alignment is reported with it.
func (m *Message) DKIMSummary() (result Result, aligned bool) {
	if m.Auth == nil {
		return "", false
	}
	if len(m.Auth.DKIM) == 0 {
		return ResultNone, false
	}
	best := func(wantAligned bool) (Result, bool) {
		var r Result
		found := false
		for _, d := range m.Auth.DKIM {
			if d.Aligned != wantAligned {
				continue
			}
			if !found || d.Result.Rank() < r.Rank() {
				r, found = d.Result, true
			}
		}
		return r, found
	}
	if r, ok := best(true); ok {
		return r, true
	}
	r, _ := best(false)
	return r, false
}

// DMARCResult returns the DMARC result and the published policy (p=, ""
// when the domain publishes none), or two empty values when the message
// was analysed without authentication.
func (m *Message) DMARCResult() (Result, Disposition) {
	if m.Auth == nil {
		return "", ""
	}
	return m.Auth.DMARC.Result, m.Auth.DMARC.Policy
}

// Encryption returns the strongest encryption method of any archive the
// message carries, nested archives included; EncryptionNone when nothing
// is encrypted.
func (m *Message) Encryption() Encryption {
	e := EncryptionNone
	for i := range m.Attachments {
		if a := m.Attachments[i].Archive; a != nil {
			e = e.Stronger(a.strongestEncryption())
		}
	}
	return e
}

func (a *Archive) strongestEncryption() Encryption {
	e := EncryptionNone
	if a.Encrypted {
		e = a.Encryption
		if e == EncryptionNone {
			e = EncryptionUnknown
		}
	}
	for i := range a.Entries {
		en := &a.Entries[i]
		if en.Encrypted {
			m := en.Encryption
			if m == EncryptionNone {
				m = EncryptionUnknown
			}
			e = e.Stronger(m)
		}
		if en.Archive != nil {
			e = e.Stronger(en.Archive.strongestEncryption())
		}
	}
	return e
}

// IsEncrypted reports whether the message carries an encrypted archive or
// its attachment verdict says so.
func (m *Message) IsEncrypted() bool {
	return m.Verdict.Attachment == AttachmentEncrypted || m.Encryption() != EncryptionNone
}

// IsRisky reports whether the attachment verdict is risky or any file,
// archive or archive entry carries a risk flag.
func (m *Message) IsRisky() bool {
	if m.Verdict.Attachment == AttachmentRisky {
		return true
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if len(a.Risks) > 0 || (a.Archive != nil && len(a.Archive.AllRisks()) > 0) {
			return true
		}
	}
	return false
}

// IsDMARCFail reports whether DMARC failed for the message, or the
// authentication verdict is a failure (a permanent error that prevents a
// pass counts). A temporary error is not a failure: see IsAuthTempError.
func (m *Message) IsDMARCFail() bool {
	if m.IsAuthTempError() {
		return false
	}
	if m.Verdict.Auth == AuthFail {
		return true
	}
	return m.Auth != nil && m.Auth.DMARC.Result == ResultFail
}

// IsAuthTempError reports whether a temporary error (a DNS timeout or
// SERVFAIL) kept the message's authentication from being decided: the
// verdict is "temperror", or DMARC's result is (for results cached by an
// older version, whose verdict said "fail"). Such a message is neither
// passed nor failed; checking it again once DNS answers may decide it.
func (m *Message) IsAuthTempError() bool {
	if m.Verdict.Auth == AuthTempError {
		return true
	}
	return m.Auth != nil && m.Auth.DMARC.Result == ResultTempError
}

// AuthTempErrors counts the messages whose authentication ended in a
// temporary error: what a "DNS unreachable" banner reports.
func AuthTempErrors(msgs []*Message) int {
	n := 0
	for _, m := range msgs {
		if m != nil && m.IsAuthTempError() {
			n++
		}
	}
	return n
}

// HasException reports whether an operator exception covers the message,
// fully or in part (Policy.Annotate sets Exception).
func (m *Message) HasException() bool { return m.Exception != nil }

// exceptionRank orders messages by exception status for the exception
// column: none, a partial cover, a full cover.
func (m *Message) exceptionRank() int { return exceptionRankOf(m.Exception) }

// exceptionRankOf ranks a cover for the exception column: none, a
// partial one, one that allows the message.
func exceptionRankOf(x *ExceptionMatch) int {
	switch {
	case x == nil:
		return 0
	case !x.Allows():
		return 1
	}
	return 2
}

// Severity ranks how much attention a message needs, for the list's marker
// column: 0 nothing noteworthy, 1 unauthenticated (no DMARC) or undecided
// (a DNS failure: temperror, not a failure), 2 risky attachment or failed
// authentication, 3 encrypted archive, 4 the message or one of its parts
// could not be read.
func (m *Message) Severity() int {
	switch {
	case m.Error != "" || m.Verdict.Attachment == AttachmentError:
		return 4
	case m.IsEncrypted():
		return 3
	case m.IsRisky() || m.IsDMARCFail():
		return 2
	case m.Verdict.Auth == AuthNone || m.IsAuthTempError():
		return 1
	}
	return 0
}
