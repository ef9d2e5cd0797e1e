package action

import (
	"slices"
	"strings"
	"testing"
)

func TestParseEnvelope(t *testing.T) {
	const body = "From: a@partner.example\r\nTo: Team <team@sakura-shoji.example>, \"Sato, J\" <sato@sakura-shoji.example>\r\nCc: cc@sakura-shoji.example\r\nSubject: x\r\n\r\nbody\r\n"
	const recv = "Received: from x by mx1; Mon, 23 Nov 2026 09:00:00 +0900\r\n"
	tests := []struct {
		name        string
		raw         string
		sender      string
		rcpts       []string
		fromHeaders bool
		warn        string
	}{
		{"postfix local", "Return-Path: <b@partner.example>\r\nX-Original-To: orig@sakura-shoji.example\r\nDelivered-To: box@sakura-shoji.example\r\n" + recv + body,
			"b@partner.example", []string{"orig@sakura-shoji.example"}, false, ""},
		{"delivered-to only", "Return-Path: <b@partner.example>\r\nDelivered-To: box@sakura-shoji.example\r\n" + recv + body,
			"b@partner.example", []string{"box@sakura-shoji.example"}, false, ""},
		{"amavis folded list wins", "X-Envelope-From: <e@partner.example>\r\nX-Envelope-To: <x@sakura-shoji.example>,\r\n <y@sakura-shoji.example>, <X@sakura-shoji.example>\r\nReturn-Path: <r@partner.example>\r\nX-Original-To: z@sakura-shoji.example\r\n" + recv + body,
			"e@partner.example", []string{"x@sakura-shoji.example", "y@sakura-shoji.example"}, false, ""},
		{"amavis: only the blocked recipients", "X-Envelope-From: <e@partner.example>\r\nX-Envelope-To: <x@sakura-shoji.example>, <y@sakura-shoji.example>\r\nX-Envelope-To-Blocked: <y@sakura-shoji.example>\r\n" + recv + body,
			"e@partner.example", []string{"y@sakura-shoji.example"}, false, ""},
		{"null sender", "Return-Path: <>\r\nX-Original-To: o@sakura-shoji.example\r\n" + recv + body,
			"", []string{"o@sakura-shoji.example"}, false, ""},
		{"forged below Received ignored", "Return-Path: <b@partner.example>\r\n" + recv + "X-Envelope-To: <ceo@sakura-shoji.example>\r\nX-Original-To: ceo@sakura-shoji.example\r\n" + body,
			"b@partner.example", []string{"team@sakura-shoji.example", "sato@sakura-shoji.example", "cc@sakura-shoji.example"}, true, "taken from To and Cc"},
		{"no Received header", "X-Original-To: o@sakura-shoji.example\r\n" + body,
			"", []string{"o@sakura-shoji.example"}, false, "no Received header"},
		{"hostile addresses dropped", "Return-Path: <b@partner.example>\r\nX-Envelope-To: <a@x.example> , <bad addr@x.example>, <c@x.example\r\n\tNOTIFY=SUCCESS>, <d@x.example>\r\n" + recv + body,
			"b@partner.example", []string{"a@x.example", "d@x.example"}, false, "ignored"},
		{"bad return path", "Return-Path: <a b@c>\r\nX-Original-To: o@sakura-shoji.example\r\n" + recv + body,
			"", []string{"o@sakura-shoji.example"}, false, "null sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := parseEnvelope(strings.NewReader(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if env.Sender != tt.sender || !slices.Equal(env.Recipients, tt.rcpts) || env.FromHeaders != tt.fromHeaders {
				t.Errorf("got sender %q rcpts %q fromHeaders %v", env.Sender, env.Recipients, env.FromHeaders)
			}
			joined := strings.Join(env.Warnings, "\n")
			if (tt.warn == "") != (joined == "") || !strings.Contains(joined, tt.warn) {
				t.Errorf("warnings %q, want one containing %q", env.Warnings, tt.warn)
			}
		})
	}
}

func TestParseEnvelopeRejectsGarbage(t *testing.T) {
	for _, raw := range []string{"", " leading space\r\n\r\n", "\x00\x01\x02"} {
		if env, err := parseEnvelope(strings.NewReader(raw)); err == nil && len(env.Recipients) > 0 {
			t.Errorf("%q: recipients %q from garbage", raw, env.Recipients)
		}
	}
}

func TestCheckAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"a@b.example": true, "宛先@例え.jp": true, "": false, "a": false, "@b": false, "a@": false,
		"a b@c": false, "a@b\r\nRCPT TO:<x@y>": false, "<a@b>": false, strings.Repeat("a", 250) + "@b.example": false,
		// Percent hack, bang path, source route: a relay may deliver them
		// elsewhere than they seem to go.
		"victim%evil.example@corp.example": false, "a!b@c.example": false, "@evil.example:victim@corp.example": false,
	} {
		if err := checkAddress(addr); (err == nil) != ok {
			t.Errorf("checkAddress(%q) = %v", addr, err)
		}
	}
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add("X-Envelope-To: <a@b>, <c@d>\r\nReturn-Path: <>\r\nReceived: x\r\n\r\n")
	f.Add("To: a@b\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		env, err := parseEnvelope(strings.NewReader(raw))
		if err != nil {
			return
		}
		for _, a := range append([]string{}, env.Recipients...) {
			if checkAddress(a) != nil {
				t.Fatalf("invalid recipient %q accepted", a)
			}
		}
		if env.Sender != "" && checkAddress(env.Sender) != nil {
			t.Fatalf("invalid sender %q accepted", env.Sender)
		}
	})
}
