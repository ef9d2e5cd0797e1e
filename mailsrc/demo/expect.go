package demo

import "mxaudit/model"

// Expect is what the analysis must find in a sample: the generator's
// ground truth, for tests elsewhere to assert against. Nothing in it is
// written into the message itself.
type Expect struct {
	// Scenario says in a few words what the sample exercises.
	Scenario string

	// Malformed is set when the message is broken on purpose and
	// go-message's mail reader fails on it (header or any part).
	Malformed bool

	// Subject, FromDomain and FromCount are what the generator wrote;
	// from a Malformed message an analysis may recover less.
	//
	// Subject is the decoded Subject; for terminal-injection samples it
	// holds the raw control bytes the analysis must keep (and the UI must
	// neutralise).
	Subject string
	// FromDomain is the lower-cased domain of the single From address;
	// "" when there is no From or more than one.
	FromDomain string
	// FromCount is the number of addresses in From.
	FromCount int

	// Attachment is the verdict on the attachments. The rule used: any
	// encrypted archive makes it encrypted; else an undecodable part or a
	// malformed message makes it error; else any risk makes it risky (a
	// broken ZIP is risky, with RiskBrokenArchive); else clean. A
	// well-formed message without attachments is clean.
	Attachment model.AttachmentVerdict
	// Files has one entry per attachment, in MIME order. For a Malformed
	// message it lists what the generator attached; an analysis may
	// recover less.
	Files []File
	// Risks is the union of every file's risks, in order of appearance.
	Risks []model.Risk

	// Password is the password that opens this message's encrypted
	// archives; "" when there are none.
	Password string
	// PasswordMail names the sample that carries the right password for
	// this one's archive; "" when none was sent.
	PasswordMail string
	// PasswordFor names, on a password notification, the sample whose
	// archive it is about.
	PasswordFor string
	// StatedPassword is the password a notification states, already
	// folded to ASCII (NFKC) the way a pairing feature must read it.
	StatedPassword string
	// PasswordCorrect says whether StatedPassword opens PasswordFor's
	// archive.
	PasswordCorrect bool

	// Auth is the expected authentication outcome.
	Auth AuthExpect
}

// File is the expected view of one attachment.
type File struct {
	// Name is the decoded file name.
	Name        string
	ContentType string
	// Archive is set for a ZIP (found by its magic bytes).
	Archive *ArchiveExpect
	// Risks are the risks visible without any password: from names,
	// magic bytes and the contents of unencrypted archives.
	Risks []model.Risk
	// DecodeError is set when the part cannot be decoded (truncated
	// base64).
	DecodeError bool
}

// ArchiveExpect is the expected listing of an archive.
type ArchiveExpect struct {
	// Encrypted is set when this archive or one nested in it has
	// encrypted members; Encryption is the strongest method seen in any
	// of them ("" when none).
	Encrypted  bool
	Encryption model.Encryption
	// Entries are the decoded names of every member, nested archives'
	// members included, depth first; members inside an encrypted nested
	// archive cannot be listed without the password and are not here.
	Entries []string
	// CP932Names is set when entry names are stored in CP932 without the
	// UTF-8 flag.
	CP932Names bool
	// DeclaredSize is the sum of the declared uncompressed sizes.
	DeclaredSize int64
	// Broken is set for an archive that cannot be read.
	Broken bool
	// InnerRisks are the further risks found once the archive is opened
	// with the right password (the content of encrypted members).
	InnerRisks []model.Risk
}

// AuthExpect is the expected sender authentication.
type AuthExpect struct {
	// ClientIP is the connecting address recorded by the trusted hop
	// "by mx1.quarantine.example"; Helo its HELO name; MailFrom the
	// envelope sender (Return-Path), "" for the null sender.
	ClientIP string
	Helo     string
	MailFrom string

	SPF       model.Result
	SPFDomain string
	DKIM      []DKIMExpect

	DMARC     model.Result
	OrgDomain string
	Policy    model.Disposition // p= (or "" when no record)
	Subdomain model.Disposition // sp=, or p= when sp= is absent
	Pct       int
	ADKIM     model.Alignment
	ASPF      model.Alignment
	// SPFAligned says whether SPFDomain aligns with the From domain
	// under aspf=, whatever the SPF result.
	SPFAligned bool
	// Disposition is what the policy asks for this message: "" when no
	// record applies, none when DMARC passes, else p= (sp= when the
	// record was found at the organizational domain). pct<100 is not
	// sampled: the policy's own disposition is given.
	Disposition model.Disposition
	// Verdict follows the model.AuthVerdict comments: pass when an
	// aligned identifier passed (even without a DMARC record), none when
	// there is no record and nothing aligned passed, else fail. No From,
	// or several From addresses, is a DMARC permerror and fails.
	Verdict model.AuthVerdict

	// TrustedHeader is set when the message carries an
	// Authentication-Results header from mx1.quarantine.example whose
	// results equal these.
	TrustedHeader bool
	// IgnoredHeaders are the authserv-ids of forged
	// Authentication-Results headers that must not be trusted.
	IgnoredHeaders []string
}

// DKIMExpect is the expected verification of one DKIM-Signature, in
// header order (top first).
type DKIMExpect struct {
	Domain    string
	Selector  string
	Algorithm string
	Result    model.Result
	// Aligned says whether d= aligns with the From domain under the
	// record's adkim= (relaxed without a record), whatever the result.
	Aligned bool
	// Why says in words why the result is what it is.
	Why string
}
