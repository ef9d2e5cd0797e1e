package demo

import (
	"fmt"
	"strings"
	"sync"

	"mxaudit/analysis/dnszone"
)

// bulkDomainNames are the sender domains of the bulk generator: fifty
// companies, most of them Japanese, some under the documentation domains.
var bulkDomainNames = []string{
	"aoba-denki.example", "asahi-kogyo.example", "chuo-butsuryu.example", "daiichi-shoken.example",
	"fuji-seimitsu.example", "hikari-tsushin.example", "hokuto-kensetsu.example", "kaede-foods.example",
	"kawasemi-kikai.example", "kita-shokai.example", "kotobuki-insatsu.example", "midori-kagaku.example",
	"minato-unyu.example", "mizuho-sangyo.example", "nishiki-textile.example", "ogawa-seiko.example",
	"sakae-boeki.example", "sanwa-denshi.example", "shirakaba-soft.example", "sumire-hoken.example",
	"taiyo-shiryo.example", "takumi-koumuten.example", "tohoku-kaihatsu.example", "tsubasa-kotsu.example",
	"umi-suisan.example", "wakaba-iryo.example", "yamato-kenzai.example", "yotsuba-jimuki.example",
	"nagoya.example.co.jp", "fukuoka.example.co.jp", "sapporo.partner.example.co.jp", "hq.example.co.jp",
	"shop.example.com", "billing.example.com", "news.example.org", "members.example.org",
	"lists.example.net", "smtp-relay.example.net",
	"acme-supply.example", "bluebird-logistics.example", "cobalt-systems.example", "delta-components.example",
	"evergreen-partners.example", "falcon-freight.example", "granite-finance.example", "harbor-insurance.example",
	"ion-semiconductor.example", "juniper-consulting.example", "keystone-legal.example", "lumen-analytics.example",
}

var (
	bulkOnce     sync.Once
	bulkProfiles []domainProfile
	bulkByName   map[string]int
)

// bulkDomains returns the profiles of the bulk generator's domains. The
// mix is fixed: a quarter publish p=none, a quarter quarantine, a quarter
// reject and a quarter no DMARC record; SPF ends in -all, ~all or is
// missing; half sign with Ed25519, half with a 1024-bit RSA key.
func bulkDomains() []domainProfile {
	bulkOnce.Do(func() {
		bulkByName = map[string]int{}
		for i, name := range bulkDomainNames {
			d := domainProfile{Name: name}
			net := bulkNet(i)
			mech := "ip6:" + net
			if !strings.Contains(net, ":") {
				mech = "ip4:" + net
			}
			switch i % 10 {
			case 9:
				// no SPF record
			case 3, 6:
				d.SPF = "v=spf1 " + mech + " ~all"
			default:
				d.SPF = "v=spf1 " + mech + " -all"
			}
			switch i % 4 {
			case 0:
				d.DMARC = "v=DMARC1; p=none; rua=mailto:dmarc@" + name
			case 1:
				d.DMARC = "v=DMARC1; p=quarantine"
			case 2:
				d.DMARC = "v=DMARC1; p=reject; adkim=r; aspf=r"
			}
			if i%2 == 0 {
				d.Keys = []selector{{Name: "b1", Key: keyEd25519Bulk, Published: keyEd25519Bulk}}
			} else {
				d.Keys = []selector{{Name: "b2", Key: keyRSA1024, Published: keyRSA1024}}
			}
			d.Extra = []dnszone.Record{{Name: name, Type: "MX", Value: "10 mx." + name}}
			bulkByName[name] = i
			bulkProfiles = append(bulkProfiles, d)
		}
	})
	return bulkProfiles
}

// bulkNet returns the network domain i sends from: a /29 of 192.0.2.128/25
// for the first sixteen, a /64 of 2001:db8:b::/48 for the others.
func bulkNet(i int) string {
	if i < 16 {
		return fmt.Sprintf("192.0.2.%d/29", 128+8*i)
	}
	return fmt.Sprintf("2001:db8:b:%x::/64", i)
}

// bulkIP returns host h (1-6) of domain i's network.
func bulkIP(i, h int) string {
	if i < 16 {
		return fmt.Sprintf("192.0.2.%d", 128+8*i+h)
	}
	return fmt.Sprintf("2001:db8:b:%x::%x", i, h)
}

// bulkSelector returns the selector and key domain i signs with.
func bulkSelector(i int) (string, keyKind) {
	if i%2 == 0 {
		return "b1", keyEd25519Bulk
	}
	return "b2", keyRSA1024
}
