package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ApprovedContent is the digest of what an approver vouches for: the
// scope, the value, the kinds, the reason, who asked and when, the
// expiry, and the approval itself. The approval's audit record carries
// it, and an exception whose content no longer matches its record —
// widened by hand to more kinds, another domain or a later expiry — is
// unverified and covers nothing. What changes legitimately after the
// approval (hits, a revocation, which records the revoke itself) is left
// out.
func (e *Exception) ApprovedContent() string {
	kinds := make([]string, len(e.Kinds))
	for i, k := range e.Kinds {
		kinds[i] = string(k)
	}
	slices.Sort(kinds)
	// To the second, as the policy file keeps them.
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	h := sha256.New()
	fmt.Fprintf(h, "mxaudit exception v1\nid %d\nscope %s\nvalue %s\nkinds %s\nreason %q\nrequested_by %q\ncreated %s\nexpires %s\napproved_by %q\napproved %s\n",
		e.ID, e.Scope, e.Value, strings.Join(kinds, ","), e.Reason, e.RequestedBy, ts(e.Created), ts(e.Expires), e.ApprovedBy, ts(e.Approved))
	return hex.EncodeToString(h.Sum(nil))
}
