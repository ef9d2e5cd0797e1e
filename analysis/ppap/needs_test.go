package ppap

import (
	"testing"

	"mxaudit/model"
)

// TestNeedsPairing: only encrypted ZIPs that could be listed are worth a
// password mail; encrypted 7z and RAR archives cannot be decrypted here
// and stay encrypted without a search.
func TestNeedsPairing(t *testing.T) {
	tests := []struct {
		name string
		arc  *model.Archive
		want bool
	}{
		{"no archive", nil, false},
		{"plain zip", &model.Archive{Format: "zip"}, false},
		{"encrypted zip", &model.Archive{Format: "zip", Encrypted: true}, true},
		{"encrypted zip, format unset (older cache)", &model.Archive{Encrypted: true}, true},
		{"broken encrypted zip", &model.Archive{Format: "zip", Encrypted: true, Error: "bad central directory"}, false},
		{"encrypted 7z", &model.Archive{Format: "7z", Encrypted: true}, false},
		{"encrypted rar", &model.Archive{Format: "rar", Encrypted: true}, false},
	}
	for _, tt := range tests {
		m := &model.Message{Attachments: []model.Attachment{{Filename: "a", Archive: tt.arc}}}
		if got := NeedsPairing(m); got != tt.want {
			t.Errorf("%s: NeedsPairing = %v, want %v", tt.name, got, tt.want)
		}
	}
}
