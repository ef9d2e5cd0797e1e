package model

// Attachment is one file carried by a message: a MIME part with a file name
// or a Content-Disposition of attachment.
type Attachment struct {
	Filename    string   `json:"filename"`     // decoded (RFC 2047/2231, any charset) to UTF-8
	ContentType string   `json:"content_type"` // as declared, lower-cased, without parameters
	Size        int64    `json:"size"`         // decoded bytes
	Archive     *Archive `json:"archive,omitempty"`
	Risks       []Risk   `json:"risks"`
	// Error is set when the part could not be decoded (bad base64, truncated).
	Error string `json:"error,omitempty"`
}

// Archive describes an archive found by its magic bytes, whatever the
// attachment's name or declared type says.
type Archive struct {
	Format string `json:"format"` // "zip", "7z" or "rar"
	// Offset is where the archive starts in the bytes it was found in; it
	// is not 0 when data (a self-extractor stub, junk, another archive)
	// precedes it.
	Offset     int64      `json:"offset,omitempty"`
	Encrypted  bool       `json:"encrypted"`
	Encryption Encryption `json:"encryption"` // strongest method seen on an encrypted entry; "" when none
	Entries    []Entry    `json:"entries"`
	// TotalEntries counts every entry in the central directory; it is larger
	// than len(Entries) when the listing was cut at the entry limit.
	TotalEntries int `json:"total_entries"`
	// Truncated is set when the listing or the nested inspection stopped at
	// a limit (entry count, depth, bytes decompressed).
	Truncated bool `json:"truncated,omitempty"`
	// Risks are findings about the archive as a whole: a bomb, a broken
	// archive, an OOXML document (itself a ZIP) carrying VBA macros.
	// Risks of single entries are on the entries.
	Risks []Risk `json:"risks,omitempty"`
	Error string `json:"error,omitempty"` // a broken archive: what was wrong with it
	// Others are the further archives found in the same bytes (archives
	// concatenated, or one hidden behind a prefix): every reader picks a
	// different one, so each is listed, in the order of their offsets.
	Others []*Archive `json:"others,omitempty"`
	// SHA256 is the hex SHA-256 of the bytes an encrypted archive was
	// listed from (the attachment's decoded bytes), when they were read
	// whole. PPAP pairing decrypts only bytes with this digest: the
	// archive the verdict speaks of, whatever reads the message back.
	SHA256 string `json:"sha256,omitempty"`

	// The fields below are filled by PPAP pairing (package analysis/ppap)
	// for an encrypted archive; the password itself is never stored.

	// Decrypted is set when the archive was opened with a password found
	// in a mail from the same sender; its entries then carry the risks of
	// their decrypted content.
	Decrypted bool `json:"decrypted"`
	// PasswordSource is the ID of the message that held the password
	// (possibly this archive's own message); "" when none was found.
	PasswordSource MessageID `json:"password_source,omitempty"`
	// PasswordAttempts counts the candidate passwords tried.
	PasswordAttempts int `json:"password_attempts,omitempty"`
	// MailsRead counts the candidate mails (other than the archive's own
	// message) pairing read, best first, before it stopped, those that
	// gave no password among them: the pairing's outcome depends on
	// those and no others.
	MailsRead int `json:"mails_read,omitempty"`
	// Scan is the virus scanner's verdict on the decrypted entries taken
	// together; nil when the archive was not decrypted or no scanner is
	// configured.
	Scan *ScanResult `json:"scan,omitempty"`
	// NotChecked says why passwords or entries were left untried:
	// NotCheckedBudget when the pairing's work budget for the message ran
	// out. The verdict then says "not checked: budget", never "clean".
	NotChecked string `json:"not_checked,omitempty"`
}

// Archive.NotChecked values.
const (
	// NotCheckedBudget: the pairing's work budget ran out.
	NotCheckedBudget = "budget"
	// NotCheckedDecided: a decrypted entry was risky, which decides what
	// the message needs; the entries after it were not decrypted.
	NotCheckedDecided = "already risky"
	// NotCheckedUnread: pairing could not read the archive back as it was
	// analysed (the message unreadable, replaced since, or its parts
	// numbered otherwise); no password was tried on other bytes.
	NotCheckedUnread = "not read back as analysed"
	// NotCheckedPastLimit: the archive was found in bytes of which only
	// the first were held (past the inspection limit): nothing of it can
	// be decrypted as analysed.
	NotCheckedPastLimit = "past the inspection limit"
)

// Pairable reports whether PPAP pairing tries passwords on the archive:
// an encrypted ZIP listed without error. An encrypted 7z or RAR archive
// is never tried: there is no decoder for them, so a password could only
// be guessed at, not proved, and the archive stays "encrypted: nothing
// inside can be checked". The analysis records the digest of these
// (SHA256), which pairing checks.
func (a *Archive) Pairable() bool {
	return a.Encrypted && a.Error == "" && (a.Format == "" || a.Format == "zip")
}

// AllRisks returns the archive's own risks and those of every entry,
// nested archives included, each once.
func (a *Archive) AllRisks() []Risk {
	var out []Risk
	for _, r := range a.Risks {
		out = AddRisk(out, r)
	}
	for i := range a.Entries {
		for _, r := range a.Entries[i].Risks {
			out = AddRisk(out, r)
		}
		if a.Entries[i].Archive != nil {
			for _, r := range a.Entries[i].Archive.AllRisks() {
				out = AddRisk(out, r)
			}
		}
	}
	for _, o := range a.Others {
		for _, r := range o.AllRisks() {
			out = AddRisk(out, r)
		}
	}
	return out
}

// Entry is one member of an archive.
type Entry struct {
	Name           string     `json:"name"` // decoded: UTF-8 when flagged, else CP932 when not valid UTF-8
	Size           int64      `json:"size"` // declared uncompressed size
	CompressedSize int64      `json:"compressed_size"`
	Encrypted      bool       `json:"encrypted"`
	Encryption     Encryption `json:"encryption,omitempty"`
	Dir            bool       `json:"dir,omitempty"`
	Risks          []Risk     `json:"risks,omitempty"`
	// Mismatch is set when the central directory and the local header of
	// the entry disagree on what a reader needs (encryption flags, method,
	// the AES field, the name): it gives both values. Readers that trust
	// one or the other see different files, so the entry counts as
	// encrypted when either says so.
	Mismatch string `json:"mismatch,omitempty"`
	// Archive is set for a nested archive that was opened and listed.
	Archive *Archive `json:"archive,omitempty"`
	// Decrypted is set when the entry's content was decrypted (PPAP
	// pairing) and inspected; its Risks then include the content's.
	Decrypted bool `json:"decrypted,omitempty"`
	// Scan is the virus scanner's verdict on the decrypted content; nil
	// when not decrypted or no scanner is configured.
	Scan *ScanResult `json:"scan,omitempty"`
}

// Ratio is the declared compression ratio (uncompressed / compressed).
// It is 0 when the compressed size is 0.
func (e *Entry) Ratio() float64 {
	if e.CompressedSize <= 0 {
		return 0
	}
	return float64(e.Size) / float64(e.CompressedSize)
}

func (a *Archive) appendNames(names []string) []string {
	for i := range a.Entries {
		names = append(names, a.Entries[i].Name)
		if a.Entries[i].Archive != nil {
			names = a.Entries[i].Archive.appendNames(names)
		}
	}
	for _, o := range a.Others {
		names = o.appendNames(names)
	}
	return names
}

// Encryption names how an archive entry is encrypted.
type Encryption string

// Encryption methods, as the ZIP headers state them.
const (
	EncryptionNone      Encryption = ""
	EncryptionZipCrypto Encryption = "zipcrypto" // traditional PKWARE stream cipher: weak, but no scanner sees inside
	EncryptionAES128    Encryption = "aes128"    // WinZip AE-1/AE-2, extra field 0x9901
	EncryptionAES192    Encryption = "aes192"
	EncryptionAES256    Encryption = "aes256"
	EncryptionStrong    Encryption = "pkware-strong" // PKWARE Strong Encryption (general purpose flag bit 6)
	EncryptionUnknown   Encryption = "unknown"       // the encrypted flag is set but the method cannot be told
)

// strength orders methods so that an archive reports its strongest one.
func (e Encryption) strength() int {
	switch e {
	case EncryptionZipCrypto:
		return 1
	case EncryptionUnknown:
		return 2
	case EncryptionAES128:
		return 3
	case EncryptionAES192:
		return 4
	case EncryptionAES256:
		return 5
	case EncryptionStrong:
		return 6
	}
	return 0
}

// Stronger returns whichever of e and o is the stronger method.
func (e Encryption) Stronger(o Encryption) Encryption {
	if o.strength() > e.strength() {
		return o
	}
	return e
}

// Risk is a finding about a file that makes it dangerous to deliver.
type Risk string

// Risks an attachment or an archive entry can carry.
const (
	RiskExecutable        Risk = "executable"            // .exe .scr .js .lnk ... or an executable by magic bytes
	RiskDoubleExtension   Risk = "double-extension"      // invoice.pdf.exe
	RiskMacro             Risk = "macro"                 // Office document with VBA macros
	RiskDiskImage         Risk = "disk-image"            // .iso .img: used to smuggle executables past filters
	RiskNestedArchive     Risk = "nested-archive"        // an archive inside an archive
	RiskEncryptedDocument Risk = "encrypted-document"    // password-protected Office or PDF file
	RiskBomb              Risk = "bomb"                  // decompression bomb: ratio, size, entry count or overlap
	RiskRTLO              Risk = "rtlo"                  // a bidi override in the name hides the real extension
	RiskBrokenArchive     Risk = "broken-archive"        // looks like an archive but cannot be read
	RiskHeaderMismatch    Risk = "header-mismatch"       // a ZIP's central directory and local header disagree
	RiskPrefixedData      Risk = "prefixed-data"         // data before an archive or between archives (stub, junk, polyglot)
	RiskConcatenated      Risk = "concatenated-archives" // several archives in one file: each reader lists a different one
	RiskEncryptedHeaders  Risk = "encrypted-headers"     // 7z/RAR with encrypted headers: not even the names can be listed
	// RiskNotInspected marks contents nobody looked at: entries past the
	// content-check budget, the files of a 7z or RAR (never decompressed),
	// an archive over the size limit or left out of an IMAP fetch. Never
	// clean: what was not inspected cannot be released as inspected.
	RiskNotInspected Risk = "not-inspected"
)

// AddRisk appends r to risks unless it is already there.
func AddRisk(risks []Risk, r Risk) []Risk {
	for _, have := range risks {
		if have == r {
			return risks
		}
	}
	return append(risks, r)
}
