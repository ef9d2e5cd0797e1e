// Package dnszone is a plain list of DNS records: what the demo quarantine
// publishes for its made-up domains, what test DNS servers serve, and what a
// static resolver answers from. It has no behaviour beyond lookups.
package dnszone

import "strings"

// Record is one resource record. Name is a fully qualified domain name
// without the trailing dot, lower case; Type is "TXT", "A", "AAAA", "MX" or
// "PTR"; Value is the record data in presentation form: the TXT string
// (unquoted; strings longer than 255 bytes are split by whoever serves it),
// an address, "10 mx.example.com" for MX, a host name for PTR.
type Record struct {
	Name  string
	Type  string
	Value string
}

// Zone is a set of records.
type Zone []Record

// Lookup returns the values of every record with that name and type. Name
// matching is case-insensitive and ignores a trailing dot.
func (z Zone) Lookup(name, typ string) []string {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	var out []string
	for _, r := range z {
		if r.Type == typ && r.Name == name {
			out = append(out, r.Value)
		}
	}
	return out
}
