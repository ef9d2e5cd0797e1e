package analysis

import (
	"strings"

	"mxaudit/analysis/filetype"
	"mxaudit/model"
)

// NeedPart returns the rule by which a source that fetches parts
// separately (IMAP) picks the bodies the analysis must see: every part
// that could be an archive, an executable, an Office or PDF document or an
// attached message — anything but plain text, pictures and media — up to
// maxBytes decoded. Other parts are judged by their names and sizes alone.
// A file disguised as a picture is the gap this leaves, traded for not
// downloading every photo in the folder.
func NeedPart(maxBytes int64) func(model.PartInfo) bool {
	return func(p model.PartInfo) bool {
		if p.DecodedSize() > maxBytes {
			return false
		}
		if len(filetype.NameRisks(p.Filename)) > 0 || filetype.IsArchiveName(p.Filename) {
			return true
		}
		major, _, _ := strings.Cut(p.ContentType, "/")
		switch major {
		case "text", "image", "audio", "video", "multipart":
			return false
		}
		return true
	}
}
