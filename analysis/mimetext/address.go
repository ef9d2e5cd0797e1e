package mimetext

import (
	"net/mail"
	"strings"
)

// addressParser decodes display names with the package's own word
// decoder (every charset, no 32 KiB buffer per word).
var addressParser = mail.AddressParser{WordDecoder: &wordDecoder}

// ParseAddresses decodes and parses an address list. When it does not
// parse it returns nil and the decoded text (unparsed) so the operator
// still sees it; read unparsed only then. That text is decoded only when
// it may be needed: a list that parses as it is (nearly every one) comes
// back with its addresses and "" (decoding it anyway cost 3-4% of an
// analysis, BenchmarkAnalyzeOffline).
func ParseAddresses(raw string) (addrs []*mail.Address, unparsed string) {
	addrs, err := addressParser.ParseList(decodeRawJapanese(raw))
	if err == nil && len(addrs) > 0 {
		return decodeNames(addrs), ""
	}
	// Display names with unquoted specials ("Yamada, Taro <t@x>") and raw
	// 8-bit names are common; try the decoded form before giving up.
	decoded := DecodeHeaderText(raw)
	if addrs, err = addressParser.ParseList(decoded); err != nil || !literalAddrSpecs(addrs, raw) {
		return nil, strings.TrimSpace(decoded)
	}
	return decodeNames(addrs), strings.TrimSpace(decoded)
}

// decodeNames decodes the display names of addrs in place (raw 8-bit
// Japanese, words split mid-character) and returns addrs.
func decodeNames(addrs []*mail.Address) []*mail.Address {
	for _, a := range addrs {
		a.Name = DecodeHeaderText(a.Name)
	}
	return addrs
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
