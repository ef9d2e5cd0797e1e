package mimetext

import (
	"net/mail"
	"strings"
)

// addressParser decodes display names with the package's own word
// decoder (every charset, no 32 KiB buffer per word).
var addressParser = mail.AddressParser{WordDecoder: &wordDecoder}

// ParseAddresses decodes and parses an address list; when it does not parse
// it returns nil and the decoded text so the operator still sees it.
func ParseAddresses(raw string) ([]*mail.Address, string) {
	decoded := DecodeHeaderText(raw)
	addrs, err := addressParser.ParseList(decodeRawJapanese(raw))
	if err != nil || len(addrs) == 0 {
		// Display names with unquoted specials ("Yamada, Taro <t@x>") and
		// raw 8-bit names are common; try the decoded form before giving up.
		if addrs, err = addressParser.ParseList(decoded); err != nil || !literalAddrSpecs(addrs, raw) {
			return nil, strings.TrimSpace(decoded)
		}
	}
	for _, a := range addrs {
		a.Name = DecodeHeaderText(a.Name)
	}
	return addrs, strings.TrimSpace(decoded)
}

// literalAddrSpecs reports whether every address parsed from the decoded
// text appears as it is in the raw header. RFC 2047 section 5 never applies
// to an addr-spec, so an address that exists only after decoding encoded
// words ("From: =?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?=") is a forgery aimed
// at exception matching, not the sender's address.
func literalAddrSpecs(addrs []*mail.Address, raw string) bool {
	lower := strings.ToLower(raw)
	for _, a := range addrs {
		if !strings.Contains(lower, strings.ToLower(a.Address)) {
			return false
		}
	}
	return true
}
