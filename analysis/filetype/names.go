// Package filetype judges single files: risk flags from a file name, the
// kind of a file from its magic bytes, and a streaming scanner that finds
// executables, encrypted documents and VBA macros in an attachment without
// buffering it. Every function is pure and safe for concurrent use.
package filetype

import (
	"strings"
	"unicode"

	"mxaudit/model"
)

// executableExts are extensions Windows (or a common runtime on it) will
// run, install, mount or follow when the user double-clicks the file.
var executableExts = setOf(
	"exe", "scr", "com", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh",
	"hta", "lnk", "msi", "ps1", "jar", "pif", "cpl", "reg", "dll", "vb",
	"application", "appx", "msix", "psm1", "chm", "url",
	"iso", "img", "vhd", "vhdx",
)

// diskImageExts mount as a drive on Windows; files inside them escaped the
// Mark-of-the-Web before Windows 11 22H2, which made them a favourite way to
// smuggle executables.
var diskImageExts = setOf("iso", "img", "vhd", "vhdx")

// macroExts are the macro-enabled Office formats.
var macroExts = setOf("docm", "xlsm", "pptm", "dotm", "xltm", "potm", "ppsm", "xlam", "ppam", "sldm")

// archiveExts name archive formats.
var archiveExts = setOf("zip", "7z", "rar", "gz", "tgz", "tar", "lzh", "lha", "cab", "xz", "bz2", "zipx", "arj", "ace")

// decoyExts are the extensions a victim expects to be harmless; a name that
// shows one of them before a risky extension is a disguise.
var decoyExts = setOf(
	"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "rtf", "txt", "csv",
	"odt", "ods", "odp", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff",
	"mp3", "mp4", "wav", "avi", "mov", "htm", "html", "xml", "zip", "rar",
)

// isBidiControl reports the Unicode explicit directional embeddings,
// overrides and isolates. In a file name they reorder the displayed text, so that
// "invoice\u202Efdp.exe" looks like "invoiceexe.pdf".
func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// NameRisks returns the risks a file name shows by itself: an executable,
// disk-image or macro-enabled extension, a double extension disguising an
// executable, and bidi control characters hiding the real extension. The
// name may be a path inside an archive; only its last element counts for the
// extension. Matching ignores case and the trailing dots and spaces that
// Windows drops when it opens a file.
func NameRisks(name string) []model.Risk {
	var risks []model.Risk
	if strings.IndexFunc(name, isBidiControl) >= 0 {
		risks = append(risks, model.RiskRTLO)
	}
	base := strings.ToLower(trimWindows(baseName(name)))
	stem, ext := splitExt(base)
	if ext == "" {
		return risks
	}
	if executableExts[ext] {
		risks = model.AddRisk(risks, model.RiskExecutable)
		if diskImageExts[ext] {
			risks = model.AddRisk(risks, model.RiskDiskImage)
		}
		// The padding between the decoy and the real extension is there to
		// push ".exe" out of sight in a narrow column.
		_, decoy := splitExt(strings.TrimRightFunc(stem, isPadding))
		if decoyExts[decoy] {
			risks = model.AddRisk(risks, model.RiskDoubleExtension)
		}
	}
	if macroExts[ext] {
		risks = model.AddRisk(risks, model.RiskMacro)
	}
	return risks
}

// IsArchiveName reports whether name ends in an archive extension
// (.zip .7z .rar .gz .tgz .tar .lzh .lha .cab .xz .bz2 .zipx .arj .ace).
func IsArchiveName(name string) bool {
	_, ext := splitExt(strings.ToLower(trimWindows(baseName(name))))
	return archiveExts[ext]
}

// IsMacroName reports whether name ends in a macro-enabled Office extension.
func IsMacroName(name string) bool {
	_, ext := splitExt(strings.ToLower(trimWindows(baseName(name))))
	return macroExts[ext]
}

// baseName returns the last element of a path written with either slash,
// since archive names from Windows tools may use backslashes.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

// trimWindows drops the trailing dots and spaces that Windows ignores, so
// that "setup.exe. . " is treated as "setup.exe".
func trimWindows(name string) string {
	return strings.TrimRight(name, ". ")
}

// splitExt splits "a.b.c" into "a.b" and "c"; ext is "" without a dot.
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

// isPadding reports the characters used to pad a decoy extension away from
// the real one: any Unicode space (including U+3000 and NBSP), underscores
// and dots.
func isPadding(r rune) bool {
	return unicode.IsSpace(r) || r == '_' || r == '.' || r == '\u3000' || r == '\u00a0'
}

func setOf(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}
