package analysis

import (
	"strings"

	"mxaudit/analysis/filetype"
	"mxaudit/model"
)

// NeedPart returns the rule by which a source that fetches parts
// separately (IMAP) picks the bodies the analysis must see: every part
// that could be an archive, an executable, an Office or PDF document or an
// attached message, a picture (a GIF header followed by a ZIP is both) —
// anything but plain text and media — up to maxBytes decoded. Other parts
// are judged by their names and sizes alone, and are not-inspected unless
// they are text (see elidedAttachment): never clean (review finding 7).
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
		case "text", "audio", "video", "multipart":
			return false
		}
		return true
	}
}
