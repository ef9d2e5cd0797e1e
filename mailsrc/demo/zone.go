package demo

import (
	"sort"
	"strings"

	"mxaudit/analysis/dnszone"
)

// The trusted receiving MTA: the first hop every demo message records, and
// the authserv-id of the Authentication-Results headers to believe.
const (
	TrustedMTA = "mx1.quarantine.example"
	trustedIP  = "192.0.2.10"
)

// selector is one published DKIM key: Key is signed with; Published is
// the key the zone publishes (normally the same; a different one models a
// rotated key that no longer matches; revoked publishes an empty p=).
type selector struct {
	Name      string
	Key       keyKind
	Published keyKind
	Revoked   bool
}

// domainProfile is what one sender domain publishes.
type domainProfile struct {
	Name  string
	SPF   string // the SPF TXT record; "" publishes none
	DMARC string // the _dmarc TXT record; "" publishes none
	Keys  []selector
	Extra []dnszone.Record // A, MX and helper TXT records the SPF record needs
}

// curatedDomains are the domains of the curated demo.
var curatedDomains = []domainProfile{
	{
		Name:  "partner.example.co.jp",
		SPF:   "v=spf1 ip4:203.0.113.0/27 -all",
		DMARC: "v=DMARC1; p=none; rua=mailto:dmarc-rua@partner.example.co.jp",
		Keys:  []selector{{Name: "sel1", Key: keyRSA2048, Published: keyRSA2048}},
	},
	{
		Name:  "example.co.jp",
		SPF:   "v=spf1 ip4:198.51.100.0/26 include:_spf.mailer.example.net ~all",
		DMARC: "v=DMARC1; p=quarantine; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc@example.co.jp",
		Keys: []selector{
			{Name: "ed1", Key: keyEd25519, Published: keyEd25519},
			{Name: "rsa1", Key: keyRSA2048, Published: keyRSA2048},
			{Name: "old2023", Key: keyRSA1024, Published: keyRSA1024, Revoked: true},
		},
	},
	{Name: "osaka.example.co.jp", SPF: "v=spf1 ip4:198.51.100.64/28 -all",
		Keys: []selector{{Name: "ed1", Key: keyEd25519, Published: keyEd25519}}},
	{
		Name:  "example.com",
		SPF:   "v=spf1 ip4:192.0.2.0/25 ip6:2001:db8:c0::/48 mx -all",
		DMARC: "v=DMARC1; p=reject; sp=quarantine; adkim=r; aspf=r",
		Keys: []selector{
			{Name: "s2026", Key: keyRSA2048, Published: keyRSA2048},
			{Name: "s2025", Key: keyRSA2048, Published: keyRSA1024}, // rotated: signatures no longer match
			{Name: "ed", Key: keyEd25519, Published: keyEd25519},
		},
		Extra: []dnszone.Record{
			{Name: "example.com", Type: "MX", Value: "10 mail.example.com"},
			{Name: "mail.example.com", Type: "A", Value: "198.51.100.77"},
		},
	},
	{Name: "alert.example.com"},
	{
		Name:  "example.org",
		SPF:   "v=spf1 ip4:203.0.113.128/26 -all",
		DMARC: "v=DMARC1; p=quarantine; adkim=s; aspf=s",
		Keys:  []selector{{Name: "k1", Key: keyEd25519, Published: keyEd25519}},
	},
	{Name: "alert.example.org"},
	{Name: "example.net", SPF: "v=spf1 a:smtp.example.net ?all",
		Extra: []dnszone.Record{{Name: "smtp.example.net", Type: "A", Value: "192.0.2.150"}}},
	{
		Name: "mailer.example.net",
		SPF:  "v=spf1 ip4:198.51.100.128/25 -all",
		Keys: []selector{{Name: "m1", Key: keyRSA2048, Published: keyRSA2048}},
		Extra: []dnszone.Record{
			{Name: "_spf.mailer.example.net", Type: "TXT", Value: "v=spf1 ip4:198.51.100.128/25 -all"},
		},
	},
	{
		Name:  "logistics.example",
		SPF:   "v=spf1 ip6:2001:db8:10::/48 -all",
		DMARC: "v=DMARC1; p=quarantine; pct=50",
		Keys:  []selector{{Name: "dkim", Key: keyEd25519, Published: keyEd25519}},
	},
	{
		Name:  "invoice-center.example",
		SPF:   "v=spf1 ip4:203.0.113.200 -all",
		DMARC: "v=DMARC1; p=none",
		Keys:  []selector{{Name: "default", Key: keyRSA2048, Published: keyRSA2048}},
	},
	{Name: "kojin-shop.example"},
	{Name: "takuhai-notice.example", SPF: "v=spf1 ip4:192.0.2.222 ~all"},
	{
		Name: "quarantine.example",
		Extra: []dnszone.Record{
			{Name: "quarantine.example", Type: "MX", Value: "10 " + TrustedMTA},
			{Name: TrustedMTA, Type: "A", Value: trustedIP},
		},
	},
}

// records returns the profile's DNS records.
func (d domainProfile) records() []dnszone.Record {
	var rs []dnszone.Record
	if d.SPF != "" {
		rs = append(rs, dnszone.Record{Name: d.Name, Type: "TXT", Value: d.SPF})
	}
	if d.DMARC != "" {
		rs = append(rs, dnszone.Record{Name: "_dmarc." + d.Name, Type: "TXT", Value: d.DMARC})
	}
	for _, s := range d.Keys {
		v := keyRecord(s.Published)
		if s.Revoked {
			v = "v=DKIM1; k=rsa; p="
		}
		rs = append(rs, dnszone.Record{Name: s.Name + "._domainkey." + d.Name, Type: "TXT", Value: v})
	}
	return append(rs, d.Extra...)
}

// Zone returns the DNS records of every demo domain, curated and bulk:
// SPF and DMARC TXT records, DKIM keys at sel._domainkey.domain, and the A
// and MX records SPF evaluation needs. It is sorted by name and type.
func Zone() dnszone.Zone {
	var z dnszone.Zone
	for _, d := range curatedDomains {
		z = append(z, d.records()...)
	}
	for _, d := range bulkDomains() {
		z = append(z, d.records()...)
	}
	sort.SliceStable(z, func(i, j int) bool {
		if z[i].Name != z[j].Name {
			return z[i].Name < z[j].Name
		}
		return z[i].Type < z[j].Type
	})
	return z
}

// profileOf returns the profile of a demo domain, curated or bulk.
func profileOf(name string) (domainProfile, bool) {
	name = strings.ToLower(name)
	for _, d := range curatedDomains {
		if d.Name == name {
			return d, true
		}
	}
	for _, d := range bulkDomains() {
		if d.Name == name {
			return d, true
		}
	}
	return domainProfile{}, false
}
