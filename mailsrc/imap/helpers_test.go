package imap

import (
	"strconv"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
)

func uids(n ...uint32) []goimap.UID {
	out := make([]goimap.UID, len(n))
	for i, u := range n {
		out[i] = goimap.UID(u)
	}
	return out
}

func join(u []goimap.UID) string {
	s := make([]string, len(u))
	for i, x := range u {
		s[i] = strconv.FormatUint(uint64(x), 10)
	}
	return strings.Join(s, ",")
}
