package analysis

import (
	"slices"
	"strings"
	"testing"
)

func TestMsgIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"<a@x>", []string{"<a@x>"}},
		{" <a@x> (comment) <b@y>\r\n\t<c@z>", []string{"<a@x>", "<b@y>", "<c@z>"}},
		{"no ids here", nil},
		{"<>", nil},
		{"<unterminated@x", nil},
		{"<a b@x> <ok@x>", []string{"<ok@x>"}},
		{strings.Repeat("<id@x> ", 100), slices.Repeat([]string{"<id@x>"}, 32)},
	}
	for _, tt := range tests {
		if got := msgIDs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("msgIDs(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
