package mimetext

import (
	"testing"
)

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		name, raw string
		addrs     []string // "Name <addr>", or addr alone
		text      string
	}{
		{"plain list parses at once, no text", "Taro <taro@example.jp>, hanako@example.jp",
			[]string{"Taro <taro@example.jp>", "hanako@example.jp"}, ""},
		{"encoded name", "=?UTF-8?B?5bGx55Sw?= <yamada@example.jp>", []string{"山田 <yamada@example.jp>"}, ""},
		{"encoded comma in a name", "=?UTF-8?Q?Yamada=2C_Taro?= <t@example.jp>",
			[]string{"Yamada, Taro <t@example.jp>"}, ""},
		{"does not parse: the decoded text", "=?UTF-8?B?5bGx55Sw?= at nowhere", nil, "山田 at nowhere"},
		{"address only after decoding is refused", "=?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?=", nil, "ceo@bank.example"},
	}
	for _, tc := range tests {
		addrs, text := ParseAddresses(tc.raw)
		var got []string
		for _, a := range addrs {
			s := a.Address
			if a.Name != "" {
				s = a.Name + " <" + a.Address + ">"
			}
			got = append(got, s)
		}
		if len(got) != len(tc.addrs) || text != tc.text {
			t.Errorf("%s: got %q, text %q; want %q, text %q", tc.name, got, text, tc.addrs, tc.text)
			continue
		}
		for i := range got {
			if got[i] != tc.addrs[i] {
				t.Errorf("%s: address %d is %q, want %q", tc.name, i, got[i], tc.addrs[i])
			}
		}
	}
}
