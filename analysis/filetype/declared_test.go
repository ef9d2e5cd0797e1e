package filetype

import "testing"

func TestIsDeclaredArchive(t *testing.T) {
	tests := []struct {
		name, ct string
		want     bool
	}{
		{"invoice.zip", "application/octet-stream", true},
		{"INVOICE.ZIP", "", true},
		{"a.7z", "", true},
		{"a.rar", "", true},
		{`C:\tmp\a.zip`, "", true},
		{"invoice.dat", "application/zip", true},
		{"invoice.dat", "application/x-zip-compressed", true},
		{"invoice.dat", "application/x-7z-compressed", true},
		{"invoice.dat", "application/vnd.rar", true},
		{"report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
		{"a.zip.txt", "text/plain", false},
		{"photo.gif", "image/gif", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := IsDeclaredArchive(tt.name, tt.ct); got != tt.want {
			t.Errorf("IsDeclaredArchive(%q, %q) = %v, want %v", tt.name, tt.ct, got, tt.want)
		}
	}
}
