package mailsrc

import (
	"strings"
	"testing"
)

// TestOpenSaysWhatTheFileIs (issue 15, item 9): a device is named in
// words, with what to give instead, not as a mode string "Dc---------".
func TestOpenSaysWhatTheFileIs(t *testing.T) {
	_, err := Open("/dev/null")
	if err == nil || !strings.Contains(err.Error(), "a character device") || strings.Contains(err.Error(), "---") ||
		!strings.Contains(err.Error(), "give a Maildir") {
		t.Fatalf("Open(/dev/null) = %v", err)
	}
}
