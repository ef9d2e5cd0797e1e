package action

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	stdtextproto "net/textproto"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/textproto"

	"mxaudit/model"
)

// envelope is what the receiving side recorded of a message's SMTP
// envelope.
type envelope struct {
	// Sender is the envelope sender, "" for the null sender <>.
	Sender string
	// Recipients are the original envelope recipients, in order, without
	// duplicates (compared without case).
	Recipients []string
	// FromHeaders is set when no recipient was recorded and Recipients
	// were taken from To and Cc instead.
	FromHeaders bool
	Warnings    []string
}

// maxHeaderBytes bounds the header read for the envelope: the trace
// headers are at the top, and a header larger than this is hostile.
const maxHeaderBytes = 1 << 20

// envelope reads message id's header for its envelope.
func (s *Service) envelope(ctx context.Context, id model.MessageID) (envelope, error) {
	rc, err := s.cfg.Source.Open(ctx, id)
	if err != nil {
		return envelope{}, err
	}
	defer rc.Close()
	return parseEnvelope(rc)
}

// Recipient headers, by preference: amavis writes X-Envelope-To-Blocked
// with the recipients it held back (the others got the message already)
// and X-Envelope-To with every recipient ("<a@x>, <b@y>"); Postfix's
// local and virtual delivery write X-Original-To (the address the sender
// used, before aliases) and Delivered-To (after them). Relaying to the
// original address lets the MTA expand aliases again.
var recipientHeaders = []string{"X-Envelope-To-Blocked", "X-Envelope-To", "X-Original-To", "Delivered-To"}

// Sender headers, by preference: amavis's X-Envelope-From, then the
// Return-Path the delivering MTA wrote.
var senderHeaders = []string{"X-Envelope-From", "Return-Path"}

// parseEnvelope reads the envelope from a raw message's header.
//
// Only the trace block is believed: the fields above the first Received
// header, which the receiving MTA (or amavis) prepended. Whatever the
// sender wrote comes below its own and our MTA's Received headers, so a
// forged "X-Envelope-To: ceo@example.co.jp" in the message cannot add a
// recipient to a release. A message without any Received header is
// believed whole, with a warning.
func parseEnvelope(r io.Reader) (envelope, error) {
	br := bufio.NewReader(io.LimitReader(r, maxHeaderBytes))
	h, err := textproto.ReadHeader(br)
	if err != nil && h.Len() == 0 {
		return envelope{}, fmt.Errorf("cannot read the message header: %w", err)
	}
	var env envelope
	if err != nil {
		env.Warnings = append(env.Warnings, "the header is malformed part way; only the fields before the damage were read")
	}
	trace := map[string][]string{}
	sawReceived := false
	all := map[string][]string{}
	for f := h.Fields(); f.Next(); {
		key := stdtextproto.CanonicalMIMEHeaderKey(f.Key())
		if key == "Received" {
			sawReceived = true
		}
		if !sawReceived {
			trace[key] = append(trace[key], f.Value())
		}
		all[key] = append(all[key], f.Value())
	}
	if !sawReceived {
		env.Warnings = append(env.Warnings, "the message has no Received header: its envelope headers cannot be told from what the sender wrote")
	}
	for _, key := range recipientHeaders {
		for _, v := range trace[key] {
			env.Recipients = appendAddrs(env.Recipients, v, &env.Warnings)
		}
		if len(env.Recipients) > 0 {
			break
		}
	}
	senderFound := false
	for _, key := range senderHeaders {
		if vs := trace[key]; len(vs) > 0 {
			addr, err := parseSender(vs[0])
			if err != nil {
				env.Warnings = append(env.Warnings, fmt.Sprintf("%s: %v", key, err))
				continue
			}
			env.Sender, senderFound = addr, true
			break
		}
	}
	if !senderFound {
		env.Warnings = append(env.Warnings, "no envelope sender is recorded (Return-Path, X-Envelope-From): the release uses the null sender <>, so bounces go nowhere")
	}
	if len(env.Recipients) == 0 {
		env.FromHeaders = true
		for _, key := range []string{"To", "Cc"} {
			for _, v := range all[key] {
				env.Recipients = appendHeaderAddrs(env.Recipients, v, &env.Warnings)
			}
		}
		env.Warnings = append(env.Warnings, "no envelope recipient is recorded (X-Envelope-To, X-Original-To, Delivered-To): the recipients were taken from To and Cc, which the sender wrote and which may differ from who the message was for")
	}
	return env, nil
}

// appendAddrs adds the addresses of a trace field ("<a@x>, <b@y>",
// "a@x") to list, skipping duplicates and noting invalid ones.
func appendAddrs(list []string, value string, warnings *[]string) []string {
	for part := range strings.SplitSeq(value, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		addr := strings.TrimSuffix(strings.TrimPrefix(part, "<"), ">")
		if err := checkAddress(addr); err != nil {
			*warnings = append(*warnings, fmt.Sprintf("recipient %q ignored: %v", clip(part), err))
			continue
		}
		list = addUnique(list, addr)
	}
	return list
}

// appendHeaderAddrs adds the addresses of a To or Cc field, which may
// carry display names and encoded words.
func appendHeaderAddrs(list []string, value string, warnings *[]string) []string {
	addrs, err := mail.ParseAddressList(value)
	if err != nil {
		return appendAddrs(list, value, warnings)
	}
	for _, a := range addrs {
		if err := checkAddress(a.Address); err != nil {
			*warnings = append(*warnings, fmt.Sprintf("recipient %q ignored: %v", clip(a.Address), err))
			continue
		}
		list = addUnique(list, a.Address)
	}
	return list
}

// parseSender reads a Return-Path or X-Envelope-From value: "<a@x>",
// "a@x", or "<>" for the null sender.
func parseSender(value string) (string, error) {
	v := strings.TrimSpace(value)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	if v == "" {
		return "", nil
	}
	if err := checkAddress(v); err != nil {
		return "", fmt.Errorf("%q is not an address: %v", clip(value), err)
	}
	return v, nil
}

// checkAddress accepts an addr-spec as SMTP carries it: local@domain, no
// spaces, brackets, quotes' surroundings or control characters, at most
// 254 bytes. It is deliberately stricter than RFC 5321: these addresses
// come from mail and go into SMTP commands.
func checkAddress(addr string) error {
	at := strings.LastIndexByte(addr, '@')
	switch {
	case addr == "":
		return errors.New("empty")
	case len(addr) > 254:
		return errors.New("longer than 254 bytes")
	case !utf8.ValidString(addr):
		return errors.New("not valid UTF-8")
	case at <= 0 || at == len(addr)-1:
		return errors.New("not of the form local@domain")
	}
	for _, r := range addr {
		// % and ! are the percent hack and UUCP bang paths, ':' a source
		// route: with them a relay may deliver elsewhere than it seems.
		if r <= ' ' || r == 0x7f || unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune("<>(),;\\\"[]%!:", r) {
			return fmt.Errorf("contains %q", r)
		}
	}
	if strings.HasPrefix(addr, "@") {
		return errors.New("a source route")
	}
	return nil
}

// addUnique appends addr unless list holds it already (without case).
func addUnique(list []string, addr string) []string {
	for _, a := range list {
		if strings.EqualFold(a, addr) {
			return list
		}
	}
	return append(list, addr)
}

// containsAddr reports whether list holds addr (without case).
func containsAddr(list []string, addr string) bool {
	for _, a := range list {
		if strings.EqualFold(a, addr) {
			return true
		}
	}
	return false
}

// clip shortens attacker-controlled text for a warning.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
