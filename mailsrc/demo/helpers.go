package demo

import (
	"path"
	"strings"
	"time"

	"mxaudit/model"
)

// at returns a time on the demo's weekend: day 0 is Friday 20 November
// 2026, 3 is Monday; hour and minute in Tokyo time.
func at(day, hour, min int) time.Time {
	return time.Date(2026, 11, 20+day, hour, min, 0, 0, jst)
}

// Sender environments: where each sending MTA connects from and what SPF
// says about it.
func envFor(ip, helo string, spf model.Result) envelope {
	return envelope{ClientIP: ip, Helo: helo, RDNS: helo, SPF: spf}
}

// sign returns a DKIM signature expected to verify.
func sign(domain, sel string, key keyKind, t time.Time) signing {
	return signing{Spec: dkimSpec{Domain: domain, Selector: sel, Key: key, Time: t}, Result: model.ResultPass, Why: "valid signature"}
}

// Extensions by the risk their name alone carries.
var (
	executableExts = map[string]bool{".exe": true, ".scr": true, ".com": true, ".pif": true, ".bat": true, ".cmd": true,
		".js": true, ".jse": true, ".vbs": true, ".vbe": true, ".wsf": true, ".hta": true, ".lnk": true, ".msi": true,
		".ps1": true, ".jar": true, ".dll": true, ".cpl": true}
	macroExts    = map[string]bool{".docm": true, ".xlsm": true, ".pptm": true, ".dotm": true, ".xlam": true}
	archiveExts  = map[string]bool{".zip": true}
	decoyExts    = map[string]bool{".pdf": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".txt": true, ".jpg": true, ".png": true}
	bidiOverride = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

// nameRisks returns the risks a file name carries by itself. inArchive
// adds nested-archive for an archive inside an archive.
func nameRisks(name string, inArchive bool) []model.Risk {
	var risks []model.Risk
	base := strings.ToLower(path.Base(name))
	ext := path.Ext(base)
	if executableExts[ext] {
		risks = append(risks, model.RiskExecutable)
		if prev := path.Ext(strings.TrimSuffix(base, ext)); decoyExts[prev] {
			risks = append(risks, model.RiskDoubleExtension)
		}
	}
	if macroExts[ext] {
		risks = append(risks, model.RiskMacro)
	}
	if inArchive && archiveExts[ext] {
		risks = append(risks, model.RiskNestedArchive)
	}
	if strings.ContainsAny(name, bidiOverride) {
		risks = append(risks, model.RiskRTLO)
	}
	return risks
}

// plainFile attaches a file that is not an archive.
func plainFile(name string, form nameForm, ctype string, data []byte) attachmentSpec {
	return attachmentSpec{Name: name, Form: form, ContentType: ctype, Data: data,
		Want: File{Name: name, ContentType: ctype, Risks: nameRisks(name, false)}}
}

// member is an archive entry with what a scanner finds inside it when the
// archive is open: its own risks and, for a nested archive, its listing.
type member struct {
	zipEntry
	// Nested is set for a member that is itself an archive.
	Nested *nestedZip
}

// nestedZip is an archive inside an archive.
type nestedZip struct {
	Spec    zipSpec
	Members []member
}

// zipAttachment builds an archive attachment and its expected listing.
// For an encrypted archive, the members' names stay visible (ZIP does not
// encrypt its directory), so their name risks are listed; what only the
// content shows goes to InnerRisks.
func zipAttachment(name string, form nameForm, method model.Encryption, password string, members ...member) attachmentSpec {
	data, exp := buildNested(zipSpec{Method: method, Password: password, Modified: DefaultBase.Add(-72 * time.Hour)}, members, true)
	var risks []model.Risk
	for _, r := range exp.visible {
		risks = model.AddRisk(risks, r)
	}
	return attachmentSpec{Name: name, Form: form, ContentType: "application/zip", Data: data,
		Want: File{Name: name, ContentType: "application/zip", Archive: exp.archive, Risks: risks}}
}

// nestedResult is what buildNested found out about an archive.
type nestedResult struct {
	archive *ArchiveExpect
	visible []model.Risk // without passwords
}

// buildNested writes spec's archive from members (building nested ones
// first) and works out the expected listing.
func buildNested(spec zipSpec, members []member, top bool) ([]byte, nestedResult) {
	exp := &ArchiveExpect{Encryption: spec.Method, Encrypted: spec.Method != model.EncryptionNone}
	var visible, inner []model.Risk
	outerEncrypted := exp.Encrypted
	for _, m := range members {
		e := m.zipEntry
		if e.CP932 {
			exp.CP932Names = true
		}
		exp.Entries = append(exp.Entries, e.Name)
		for _, r := range nameRisks(e.Name, true) {
			visible = model.AddRisk(visible, r)
		}
		if m.Nested != nil {
			data, sub := buildNested(m.Nested.Spec, m.Nested.Members, false)
			e.Data = data
			if !outerEncrypted {
				exp.Entries = append(exp.Entries, sub.archive.Entries...)
			}
			for _, r := range sub.visible {
				if outerEncrypted {
					inner = model.AddRisk(inner, r)
				} else {
					visible = model.AddRisk(visible, r)
				}
			}
			for _, r := range sub.archive.InnerRisks {
				inner = model.AddRisk(inner, r)
			}
			if sub.archive.Encrypted && !exp.Encrypted {
				// an encrypted archive inside a plain one: the outer one
				// is readable, the inner one hides its content
				exp.Encrypted = true
				exp.Encryption = exp.Encryption.Stronger(sub.archive.Encryption)
			}
		}
		exp.DeclaredSize += int64(len(e.Data))
		spec.Entries = append(spec.Entries, e)
	}
	data, err := buildZip(spec)
	if err != nil {
		panic("demo: zip: " + err.Error())
	}
	exp.InnerRisks = inner
	return data, nestedResult{archive: exp, visible: visible}
}

// entry is a shorthand for a plain member.
func entry(name string, cp932 bool, data []byte) member {
	return member{zipEntry: zipEntry{Name: name, CP932: cp932, Data: data}}
}

// nested is a shorthand for a member that is an archive.
func nested(name string, method model.Encryption, password string, members ...member) member {
	return member{zipEntry: zipEntry{Name: name}, Nested: &nestedZip{
		Spec: zipSpec{Method: method, Password: password, Modified: DefaultBase.Add(-96 * time.Hour)}, Members: members}}
}

// text returns a plain text body in charset cs.
func text(cs, s string) *textBody { return &textBody{Text: s, Charset: cs} }

// html returns an HTML body in charset cs.
func html(cs, s string) *textBody { return &textBody{Text: s, Charset: cs, HTML: true} }
