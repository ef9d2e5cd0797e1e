package model

// ScanOutcome is a virus scanner's one-word verdict on some content.
type ScanOutcome string

// Scan outcomes. NotScanned is never "clean": a scanner that was down,
// timed out or refused the content says nothing about it.
const (
	ScanClean      ScanOutcome = "clean"
	ScanInfected   ScanOutcome = "infected"
	ScanNotScanned ScanOutcome = "not-scanned"
)

// ScanResult is what a virus scanner said about decrypted content.
type ScanResult struct {
	Engine    string      `json:"engine"` // "clamd"
	Result    ScanOutcome `json:"result"`
	Signature string      `json:"signature"` // the signature name when infected, else ""
	// Error says why the content is not scanned ("clamd unreachable").
	Error string `json:"error,omitempty"`
}

// PasswordLink ties a password mail to the archive its text opened.
type PasswordLink struct {
	// Message is the ID of the message carrying the encrypted archive.
	Message MessageID `json:"message"`
	// Attachment is the index of the archive in that message's
	// Attachments; Filename its decoded name.
	Attachment int    `json:"attachment"`
	Filename   string `json:"filename"`
	// SHA256 is the archive's Archive.SHA256, the digest of the bytes it
	// was decrypted from: a password is re-derived only from those.
	SHA256 string `json:"sha256,omitempty"`
}

// LinkTo is the link to m's attachment i, an archive: what its password
// mail notes, and what re-derives its password.
func (m *Message) LinkTo(i int) PasswordLink {
	a := &m.Attachments[i]
	l := PasswordLink{Message: m.ID, Attachment: i, Filename: a.Filename}
	if a.Archive != nil {
		l.SHA256 = a.Archive.SHA256
	}
	return l
}
