package auth

import (
	"net"
	"regexp"
	"strings"
)

// receivedHop is what one Received field says about a hop.
type receivedHop struct {
	index int    // position among all header fields, top = 0
	by    string // the receiving host, lower case
	helo  string // the name the client gave in HELO/EHLO
	rdns  string // the client's reverse DNS name, "" when unknown
	ip    net.IP // the client's address, nil when not stated
}

// receivedToken is a word or a comment of a Received field.
type receivedToken struct {
	text    string
	comment bool
}

// tokenizeReceived splits the part of a Received field before the ';' that
// introduces the date into words and (nested) comments.
func tokenizeReceived(v string) []receivedToken {
	// A Received field has a dozen tokens or so: one allocation rather
	// than five as the slice grows.
	toks := make([]receivedToken, 0, 16)
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == ';':
			return toks
		case c == '(':
			depth, j := 0, i
			for ; j < len(v); j++ {
				if v[j] == '\\' {
					j++
					continue
				}
				if v[j] == '(' {
					depth++
				} else if v[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := min(j, len(v))
			toks = append(toks, receivedToken{text: v[i+1 : end], comment: true})
			i = end + 1
		default:
			j := i
			for j < len(v) && !strings.ContainsRune(" \t(;", rune(v[j])) {
				j++
			}
			toks = append(toks, receivedToken{text: v[i:j]})
			i = j
		}
	}
	return toks
}

// receivedClauses are the keywords of RFC 5321 §4.4 that start a clause.
var receivedClauses = map[string]bool{"from": true, "by": true, "via": true, "with": true, "id": true, "for": true}

var (
	// bracketIP finds an address literal: "[192.0.2.1]", "[IPv6:2001:db8::1]",
	// "[192.0.2.1]:4711" (Exim's port).
	bracketIP = regexp.MustCompile(`\[(?i:ipv6:)?([0-9A-Fa-f:.]+)\]`)
	// heloParam is Exim's "helo=name" inside the from comment.
	heloParam = regexp.MustCompile(`(?i)\bhelo=([^\s)]+)`)
	// rdnsBeforeIP is the "rdns [ip]" form of Postfix and Sendmail.
	rdnsBeforeIP = regexp.MustCompile(`^\s*([^\s\[\]()]+)\s+\[`)
	// The comment shapes that carry the client's address as the MTA wrote
	// it: "rdns [ip]…" (Postfix, Sendmail, whose "(may be forged)" may
	// follow), "[ip]:port helo=…" or "[ip]" (Exim, Dovecot), and a bare
	// "ip" (Microsoft, qmail).
	rdnsIPComment    = regexp.MustCompile(`^\s*[^\s\[\]()=]+\s+\[(?i:ipv6:)?([0-9A-Fa-f:.]+)\]`)
	literalIPComment = regexp.MustCompile(`^\s*\[(?i:ipv6:)?([0-9A-Fa-f:.]+)\](:\d+)?(\s+helo=\S*)?\s*$`)
)

// mtaCommentIP returns the client address of a from-clause comment of
// one of the shapes MTAs write, or nil. A comment that starts with the
// client's HELO ("helo=…", "HELO …") never gives one.
func mtaCommentIP(c string) net.IP {
	t := strings.TrimSpace(c)
	if l := strings.ToLower(t); strings.HasPrefix(l, "helo=") || strings.HasPrefix(l, "helo ") || strings.HasPrefix(l, "ehlo ") {
		return nil
	}
	// Both shapes hold a '[' (literalIPComment's first): most comments
	// are tested without running the expressions.
	if strings.HasPrefix(t, "[") {
		if m := literalIPComment.FindStringSubmatch(t); m != nil {
			return net.ParseIP(m[1])
		}
	}
	if strings.Contains(t, "[") {
		if m := rdnsIPComment.FindStringSubmatch(t); m != nil {
			return net.ParseIP(m[1])
		}
	}
	return net.ParseIP(t)
}

// parseReceived reads the from and by clauses of a Received field. It knows
// the forms of
//
//	Postfix:   from HELO (RDNS [IP]) by HOST (Postfix) with ESMTPS id …
//	Sendmail:  from HELO (RDNS [IP] (may be forged)) by HOST (8.15.2/8.15.2) …
//	Exim:      from RDNS ([IP]:PORT helo=HELO) by HOST with esmtps (Exim 4.96) …
//	Microsoft: from HELO (IP) by HOST (IP) with Microsoft SMTP Server …
//	Dovecot:   from HELO ([IP]) by HOST with LMTP id …
//
// where RDNS may be "unknown". Exim leaves helo= out when it equals RDNS.
func parseReceived(v string) receivedHop {
	var hop receivedHop
	toks := tokenizeReceived(v)
	var fromWord string
	var fromComments []string
	clause := ""
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.comment && receivedClauses[strings.ToLower(t.text)] {
			clause = strings.ToLower(t.text)
			if i+1 < len(toks) && !toks[i+1].comment {
				i++
				switch clause {
				case "from":
					fromWord = toks[i].text
				case "by":
					if hop.by == "" {
						hop.by = strings.TrimSuffix(strings.ToLower(toks[i].text), ".")
					}
				}
			}
			continue
		}
		if clause == "from" && t.comment {
			fromComments = append(fromComments, t.text)
		}
	}

	// The client's address as the receiving MTA recorded it. The client
	// chooses its HELO, and MTAs write it into the from clause — as the
	// from word (Postfix, Sendmail), as "helo=…" in the comment (Exim), or
	// as a "(HELO …)" comment (qmail) — so an address is taken only from
	// the shapes the MTA itself writes, and from the last comment that has
	// one: the MTA writes its own comment after the HELO, whatever
	// parentheses the HELO holds. "EHLO a([127.0.0.1])" must not make a
	// connection from the Internet look local. Failing those, an address
	// literal as the from word (Exim without reverse DNS:
	// "from [ip] (helo=…)").
	for _, c := range fromComments {
		if ip := mtaCommentIP(c); ip != nil {
			hop.ip = ip
		}
	}
	if hop.ip == nil {
		if m := bracketIP.FindStringSubmatch(fromWord); m != nil && strings.HasPrefix(fromWord, "[") {
			hop.ip = net.ParseIP(m[1])
		}
	}
	for _, c := range fromComments {
		if t := strings.TrimSpace(c); len(t) > 5 && strings.EqualFold(t[:5], "helo ") {
			hop.helo = strings.TrimSpace(t[5:]) // qmail: "(HELO name)"
			continue
		}
		// Each expression needs a byte the comment may lack ('=', '['):
		// most comments are tested without running them.
		if strings.Contains(c, "=") {
			if m := heloParam.FindStringSubmatch(c); m != nil {
				hop.helo = m[1]
			}
		}
		if strings.Contains(c, "[") {
			if m := rdnsBeforeIP.FindStringSubmatch(c); m != nil && !strings.EqualFold(m[1], "unknown") {
				hop.rdns = strings.ToLower(m[1])
			}
		}
	}
	if hop.helo == "" && fromWord != "" && !strings.HasPrefix(fromWord, "[") && net.ParseIP(fromWord) == nil {
		hop.helo = fromWord
	}
	return hop
}

// boundaryHop finds the hop where the message entered the operator's
// systems: the top-most Received field written "by" a trusted host whose
// client is not itself internal. A client is internal when the address
// the MTA recorded is loopback (a content filter re-injecting mail, an
// LMTP delivery from the gateway) or internalIP says so: a trusted
// network, or one of the trusted hosts' own addresses. A private address
// is not internal by itself: a hop from 10.0.0.5 that the trusted network
// list does not cover is the entry hop, whatever the (client-written)
// Received fields below it claim. The walk stops at the first field below
// the trusted ones that no trusted host wrote. The
// client's HELO and reverse name never count: the sender chooses both,
// and "EHLO mx1.example.org" would otherwise hide the real hop. The hop's
// client address and HELO are what SPF is checked against. ok is false
// when no Received field qualifies.
func boundaryHop(h *messageHeader, trusted hostSet, internalIP func(net.IP) bool) (receivedHop, bool) {
	inside := false // below the first Received field a trusted host wrote
	for i, f := range h.fields {
		if f.name != "received" {
			continue
		}
		hop := parseReceived(f.value)
		hop.index = i
		if !trusted.has(hop.by) {
			// Above the operator's systems (a final delivery host not
			// listed) the walk goes on; below them it stops: a field no
			// trusted host wrote — or one it wrote that no longer parses
			// (a HELO full of parentheses) — means the entry hop was
			// passed, and what lies further down is the client's to
			// write. No entry hop then: nothing below is believed.
			if inside {
				return receivedHop{}, false
			}
			continue
		}
		inside = true
		if hop.ip != nil && (hop.ip.IsLoopback() || (internalIP != nil && internalIP(hop.ip))) {
			continue
		}
		return hop, true
	}
	return receivedHop{}, false
}

// hostSet is a set of host names compared without case or trailing dot.
type hostSet map[string]bool

func newHostSet(hosts []string) hostSet {
	s := hostSet{}
	for _, h := range hosts {
		if h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), "."); h != "" {
			s[h] = true
		}
	}
	return s
}

func (s hostSet) has(host string) bool {
	return host != "" && s[strings.TrimSuffix(strings.ToLower(host), ".")]
}
