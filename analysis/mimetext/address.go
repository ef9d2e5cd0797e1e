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
		if addrs, err = addressParser.ParseList(decoded); err != nil {
			return nil, strings.TrimSpace(decoded)
		}
	}
	for _, a := range addrs {
		a.Name = DecodeHeaderText(a.Name)
	}
	return addrs, strings.TrimSpace(decoded)
}
