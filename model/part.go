package model

import "strings"

// PartInfo describes one leaf MIME part of a message as a server reports it
// before any of its bytes are fetched (from an IMAP BODYSTRUCTURE). Every
// string in it comes from the mail and is attacker-controlled.
//
// It lives in model because both sides of the summary protocol use it:
// the sources (mailsrc) that build it and the analysis that decides which
// part bodies it needs (analysis.NeedPart).
type PartInfo struct {
	// Path is the part's section number ("1", "2.3"): opaque to callers,
	// useful only in logs.
	Path string
	// ContentType is the declared media type, lower-cased, without
	// parameters ("application/zip").
	ContentType string
	// Filename is the file name from Content-Disposition's filename or
	// Content-Type's name parameter, as far as the server decoded it; ""
	// when the part has none.
	Filename string
	// Disposition is "attachment", "inline" or "" as declared.
	Disposition string
	// Encoding is the Content-Transfer-Encoding, lower-cased ("base64").
	Encoding string
	// Size is the size of the part's body in octets as stored, that is
	// still transfer-encoded.
	Size int64
}

// DecodedSize estimates the part's size once its transfer encoding is
// undone: three quarters of the octets for base64 (line breaks ignored),
// the octets themselves otherwise. It is what a size cap should compare.
func (p PartInfo) DecodedSize() int64 {
	if strings.EqualFold(p.Encoding, "base64") {
		// 76-character lines plus CRLF: 78 octets carry 57 bytes.
		return p.Size * 57 / 78
	}
	return p.Size
}

// ElidedHeader marks a MIME part whose body a summarizing source
// (mailsrc.Summarizer) left out; its value is the body's stored size in
// octets. A Summarizer removes any such header the mail itself carries, so
// an analyzer may trust it in a summary's rebuilt message — and only there:
// in a message read whole from a source it is attacker-controlled text like
// any other header.
const ElidedHeader = "X-Mxaudit-Elided"
