package demo

import "mxaudit/model"

// The people of the curated demo. The recipients work at 株式会社さくら商事
// (sakura-shoji.example); the senders are its partners, customers and
// those who impersonate them.
var (
	tanaka    = addr{"田中 一郎", "ichiro.tanaka@sakura-shoji.example"}
	kobayashi = addr{"小林 由美", "yumi.kobayashi@sakura-shoji.example"}
	keiri     = addr{"経理部", "keiri@sakura-shoji.example"}
	sales     = addr{"営業部", "sales@sakura-shoji.example"}
	soumu     = addr{"総務部", "soumu@sakura-shoji.example"}

	yamada    = addr{"山田 太郎", "taro.yamada@partner.example.co.jp"}
	ito       = addr{"伊藤 美咲", "misaki.ito@partner.example.co.jp"}
	sato      = addr{"佐藤 花子", "hanako.sato@example.co.jp"}
	nakamura  = addr{"中村 健", "ken.nakamura@example.co.jp"}
	takahashi = addr{"高橋 誠", "makoto.takahashi@example.co.jp"}
	kato      = addr{"加藤 恵", "megumi.kato@example.co.jp"}
	suzuki    = addr{"鈴木 一郎", "ichiro.suzuki@osaka.example.co.jp"}
	watanabe  = addr{"渡辺 直樹", "naoki.watanabe@logistics.example"}
	john      = addr{"John Smith", "john.smith@example.com"}
	emily     = addr{"Emily Chen", "emily.chen@example.com"}
	hiroshi   = addr{"木村 浩", "hiroshi.kimura@example.net"}
)

// Where the legitimate senders' MTAs connect from. Each IP is inside the
// SPF record of its domain in curatedDomains.
var (
	envPartner = envFor("203.0.113.11", "mail.partner.example.co.jp", model.ResultPass)
	envExample = envFor("198.51.100.21", "mail.example.co.jp", model.ResultPass)
	envOsaka   = envFor("198.51.100.66", "smtp.osaka.example.co.jp", model.ResultPass)
	envLogi    = envFor("2001:db8:10::5", "mx-out.logistics.example", model.ResultPass)
	envCom     = envFor("192.0.2.25", "mail-out.example.com", model.ResultPass)
	envCom6    = envFor("2001:db8:c0::25", "mail-out6.example.com", model.ResultPass)
	envComMX   = envFor("198.51.100.77", "mail.example.com", model.ResultPass)
	envOrg     = envFor("203.0.113.140", "out.example.org", model.ResultPass)
	envNet     = envFor("192.0.2.150", "smtp.example.net", model.ResultPass)
	envInvoice = envFor("203.0.113.200", "mail.invoice-center.example", model.ResultPass)
	envKojin   = envFor("198.51.100.201", "shop.kojin-shop.example", model.ResultNone)
	envTakuhai = envFor("203.0.113.250", "takuhai-notice.example", model.ResultSoftFail)
)

// spoofed returns the attacker's environment claiming domain's mail
// server, with the SPF result that domain's record gives an outsider.
func spoofed(ip, helo string, spf model.Result) envelope {
	return envelope{ClientIP: ip, Helo: helo, SPF: spf}
}
