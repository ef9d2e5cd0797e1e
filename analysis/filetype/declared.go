package filetype

import "strings"

// listableExts are the archive formats mxaudit lists (ZIP, 7z, RAR): a
// file that claims one of them and cannot be listed is broken or hostile.
var listableExts = setOf("zip", "zipx", "7z", "rar")

// listableTypes are the media types mail clients give those formats.
var listableTypes = setOf(
	"application/zip", "application/x-zip", "application/x-zip-compressed", "multipart/x-zip",
	"application/x-7z-compressed",
	"application/vnd.rar", "application/x-rar", "application/x-rar-compressed",
)

// IsDeclaredArchive reports whether a file's name or declared media type
// (lower case, without parameters) says it is a ZIP, 7z or RAR archive.
// Such a file is never clean unless it can be listed: "Something nobody
// could inspect is never clean" (issue 12).
func IsDeclaredArchive(name, contentType string) bool {
	_, ext := splitExt(strings.ToLower(trimWindows(baseName(name))))
	return listableExts[ext] || listableTypes[contentType]
}
