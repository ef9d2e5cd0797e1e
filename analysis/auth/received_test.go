package auth

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"testing"
)

func TestParseReceived(t *testing.T) {
	tests := []struct {
		name, value, by, helo, rdns, ip string
	}{
		{"Postfix", "from mail.example.net (mail.example.net [192.0.2.1]) by mx1.example.com (Postfix) with ESMTPS id 4Xyz for <u@example.com>; Mon, 2 Jan 2026 10:00:00 +0000",
			"mx1.example.com", "mail.example.net", "mail.example.net", "192.0.2.1"},
		{"Postfix unknown rDNS, IPv6", "from helo.example.net (unknown [IPv6:2001:db8::25]) by mx1.example.com (Postfix) with ESMTP id 1",
			"mx1.example.com", "helo.example.net", "", "2001:db8::25"},
		{"Sendmail may be forged", "from helo.example.net (rdns.example.net [192.0.2.2] (may be forged)) by mx1.example.com (8.15.2/8.15.2) with ESMTP id x; Mon, 2 Jan 2026",
			"mx1.example.com", "helo.example.net", "rdns.example.net", "192.0.2.2"},
		{"Exim with helo= and port", "from rdns.example.net ([192.0.2.3]:40000 helo=claimed.example.net) by mx1.example.com with esmtps (TLS1.3) (Exim 4.96) (envelope-from <a@example.net>) id 1q; Mon, 2 Jan 2026",
			"mx1.example.com", "claimed.example.net", "", "192.0.2.3"},
		{"Exim without rDNS", "from [192.0.2.4] (helo=claimed.example.net) by mx1.example.com with esmtp (Exim 4.96) id 1q",
			"mx1.example.com", "claimed.example.net", "", "192.0.2.4"},
		{"Exim helo equals rDNS", "from mail.example.net ([192.0.2.5]) by MX1.Example.Com. with esmtp (Exim 4.96) id 1q",
			"mx1.example.com", "mail.example.net", "", "192.0.2.5"},
		{"Microsoft", "from EUR05-AM6-obe.outbound.protection.outlook.com (2a01:111:f400:7e1b::200) by mx1.example.com (10.1.2.3) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1; Mon, 2 Jan 2026",
			"mx1.example.com", "EUR05-AM6-obe.outbound.protection.outlook.com", "", "2a01:111:f400:7e1b::200"},
		{"Dovecot LMTP", "from mx1.example.com ([192.0.2.6]) by imap.example.com with LMTP id AbC (envelope-from <a@example.net>) for <u@example.com>; Mon, 2 Jan 2026",
			"imap.example.com", "mx1.example.com", "", "192.0.2.6"},
		// The client writes its HELO into the from clause: addresses in it
		// never count (a security review's forgeries).
		{"Exim without rDNS, HELO an address literal", "from [203.0.113.66] (helo=[127.0.0.1]) by mx1.example.com with esmtp (Exim 4.96) id 1q",
			"mx1.example.com", "[127.0.0.1]", "", "203.0.113.66"},
		{"Postfix, HELO with a parenthesised literal", "from a([127.0.0.1]) (unknown [203.0.113.66]) by mx1.example.com (Postfix) with ESMTP id 1",
			"mx1.example.com", "a", "", "203.0.113.66"},
		{"Exim with port=, HELO a private literal", "from [203.0.113.66] (port=4444 helo=[10.1.2.3]) by mx1.example.com with esmtp id 1",
			"mx1.example.com", "[10.1.2.3]", "", "203.0.113.66"},
		{"qmail, HELO comment", "from unknown (HELO [127.0.0.1]) (203.0.113.66) by mx1.example.com with SMTP; 2 Jan 2026",
			"mx1.example.com", "[127.0.0.1]", "", "203.0.113.66"},
		{"no from clause", "by mx1.example.com (Postfix, from userid 1000) id 1; Mon, 2 Jan 2026", "mx1.example.com", "", "", ""},
		{"garbage", "((((", "", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hop := parseReceived(tc.value)
			ip := ""
			if hop.ip != nil {
				ip = hop.ip.String()
			}
			if hop.by != tc.by || hop.helo != tc.helo || hop.rdns != tc.rdns || ip != tc.ip {
				t.Fatalf("got by=%q helo=%q rdns=%q ip=%q", hop.by, hop.helo, hop.rdns, ip)
			}
		})
	}
}

func TestBoundaryHop(t *testing.T) {
	const external = "Received: from out.sender.example (out.sender.example [198.51.100.9]) by mx1.example.com (Postfix) id A; Mon, 2 Jan 2026\r\n"
	tests := []struct {
		name    string
		header  string
		wantIP  string
		wantOK  bool
		trusted []string
		// internal are the trusted hosts' own addresses (from DNS).
		internal []string
	}{
		{name: "single trusted hop", header: external, wantIP: "198.51.100.9", wantOK: true},
		{name: "content-filter re-injection above it is skipped",
			header: "Received: from localhost (localhost [127.0.0.1]) by mx1.example.com (Postfix) id B; Mon, 2 Jan 2026\r\n" + external,
			wantIP: "198.51.100.9", wantOK: true},
		{name: "LMTP delivery from the gateway is skipped",
			header:  "Received: from mx1.example.com ([203.0.113.25]) by imap.example.com with LMTP id C; Mon, 2 Jan 2026\r\n" + external,
			trusted: []string{"mx1.example.com", "imap.example.com"}, internal: []string{"203.0.113.25"}, wantIP: "198.51.100.9", wantOK: true},
		{name: "forged trusted hop below the real one is not reached",
			header: external + "Received: from evil (evil [192.0.2.66]) by mx1.example.com (Postfix) id Z; Mon, 1 Jan 2026\r\n",
			wantIP: "198.51.100.9", wantOK: true},
		{name: "no trusted hop", header: "Received: from a (a [192.0.2.1]) by relay.other.example id D; Mon, 2 Jan 2026\r\n"},
		// The sender chooses its HELO: naming our gateway, or an address
		// literal, must not make its own connection look internal.
		{name: "HELO naming the gateway does not hide the hop",
			header: "Received: from mx1.example.com (unknown [203.0.113.66]) by mx1.example.com (Postfix) id E; Mon, 2 Jan 2026\r\n" + external,
			wantIP: "203.0.113.66", wantOK: true},
		{name: "HELO address literal does not make the hop local",
			header: "Received: from [127.0.0.1] (unknown [203.0.113.66]) by mx1.example.com (Postfix) id F; Mon, 2 Jan 2026\r\n" + external,
			wantIP: "203.0.113.66", wantOK: true},
		{name: "Exim records the client literal in the from clause",
			header: "Received: from [198.51.100.44] (helo=mail.sender.example) by mx1.example.com with esmtp id G; Mon, 2 Jan 2026\r\n",
			wantIP: "198.51.100.44", wantOK: true},
		{name: "relay between our own hosts on public addresses is internal",
			header:   "Received: from mx1.example.com (mx1.example.com [203.0.113.25]) by mx2.example.com (Postfix) id H; Mon, 2 Jan 2026\r\n" + external,
			trusted:  []string{"mx1.example.com", "mx2.example.com"},
			internal: []string{"203.0.113.25"}, wantIP: "198.51.100.9", wantOK: true},
		// Issue 13: a private client address is the entry hop unless a
		// trusted network covers it (internal here stands for
		// trusted_networks); link-local neither.
		{name: "private client address is the entry hop by default",
			header: "Received: from evil (unknown [10.1.2.3]) by mx1.example.com (Postfix) id I; Mon, 2 Jan 2026\r\n" + external,
			wantIP: "10.1.2.3", wantOK: true},
		{name: "private client in a trusted network is internal",
			header:   "Received: from relay (relay [10.1.2.3]) by mx1.example.com (Postfix) id J; Mon, 2 Jan 2026\r\n" + external,
			internal: []string{"10.1.2.3"}, wantIP: "198.51.100.9", wantOK: true},
		// A trusted field that no longer parses (a HELO with an unclosed
		// parenthesis swallows the by clause) stops the walk: the forged
		// field below it is not believed.
		{name: "unparseable trusted field stops the walk",
			header: "Received: from localhost (localhost [127.0.0.1]) by mx1.example.com (Postfix) id B; Mon, 2 Jan 2026\r\n" +
				"Received: from a( (unknown [203.0.113.66]) by mx1.example.com (Postfix) id F; Mon, 2 Jan 2026\r\n" +
				"Received: from mail.bank.example (mail.bank.example [192.0.2.25]) by mx1.example.com (Postfix) id Z; Mon, 2 Jan 2026\r\n"},
		{name: "Exim HELO literal does not skip the real hop",
			header: "Received: from [203.0.113.66] (helo=[127.0.0.1]) by mx1.example.com with esmtp id G; Mon, 2 Jan 2026\r\n" +
				"Received: from mail.bank.example (mail.bank.example [192.0.2.25]) by mx1.example.com (Postfix) id Z; Mon, 2 Jan 2026\r\n",
			wantIP: "203.0.113.66", wantOK: true},
		{name: "link-local client is the entry hop",
			header: "Received: from evil (unknown [fe80::1]) by mx1.example.com (Postfix) id K; Mon, 2 Jan 2026\r\n" + external,
			wantIP: "fe80::1", wantOK: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := readHeader(bufio.NewReader(strings.NewReader(tc.header + "From: a@b.example\r\n\r\n")))
			if err != nil {
				t.Fatal(err)
			}
			trusted := tc.trusted
			if trusted == nil {
				trusted = []string{"mx1.example.com"}
			}
			internal := func(ip net.IP) bool { return slices.Contains(tc.internal, ip.String()) }
			hop, ok := boundaryHop(h, newHostSet(trusted), internal)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v", ok)
			}
			if ok && hop.ip.String() != tc.wantIP {
				t.Fatalf("ip %v, want %s", hop.ip, tc.wantIP)
			}
		})
	}
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		fields   []string
		complete bool
		rest     string
	}{
		{"CRLF and folding", "A: 1\r\nB: two\r\n  lines\r\n\r\nbody", []string{"a=1", "b=two lines"}, true, "body"},
		{"LF", "A: 1\nB: 2\n\nbody\n", []string{"a=1", "b=2"}, true, "body\n"},
		{"header only", "A: 1\r\nB: 2\r\n", []string{"a=1", "b=2"}, false, ""},
		{"mbox From line and garbage", "From sender Mon Jan  2 10:00:00 2026\nnot a field\nA: 1\n\n", []string{"a=1"}, true, ""},
		{"empty", "", nil, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tc.in))
			h, err := readHeader(br)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range h.fields {
				got = append(got, f.name+"="+f.value)
			}
			rest, _ := br.ReadString(0)
			if strings.Join(got, "|") != strings.Join(tc.fields, "|") || h.complete != tc.complete || rest != tc.rest || string(h.raw)+rest != tc.in {
				t.Fatalf("fields %q complete %v rest %q", got, h.complete, rest)
			}
		})
	}
	huge := "A: " + strings.Repeat("x", MaxHeaderBytes) + "\r\n\r\n"
	if _, err := readHeader(bufio.NewReader(strings.NewReader(huge))); err != errHeaderTooLarge {
		t.Fatalf("huge header: %v", err)
	}
}
