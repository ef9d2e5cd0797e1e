package ppap

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"mxaudit/analysis"
	"mxaudit/analysis/mimetext"
	"mxaudit/mailsrc/demo"
	"mxaudit/model"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		first string   // the top candidate; "" when none is expected
		also  []string // further candidates that must be present
		never []string // strings that must not be candidates
	}{
		{"japanese colon", "先ほどのファイルのパスワードをお知らせします。\nパスワード：Xk7#pQ2m\n山田", "Xk7#pQ2m", nil, []string{"山田"}},
		{"full-width PW and digits", "ＰＷ：１２３４ａｂｃｄ", "1234abcd", nil, nil},
		{"full-width spaces around colon", "パスワード　：　Rg7*tY2e", "Rg7*tY2e", nil, nil},
		{"half-width katakana label", "ﾊﾟｽﾜｰﾄﾞ: abc-123", "abc-123", nil, nil},
		{"kagi quotes", "パスワードは「Hana2026!」です。", "Hana2026!", nil, []string{"です。"}},
		{"double kagi quotes", "解凍パスワードは『x y z』となります", "x y z", nil, nil},
		{"lenticular brackets", "パスワード【Qw3rty】", "Qw3rty", nil, nil},
		{"curly quotes", "The password is “s3cret-Pw”.", "s3cret-Pw", nil, nil},
		{"straight quotes", `Password: "pa ss"`, "pa ss", nil, nil},
		{"decompress label", "解凍パスワード：2580", "2580", nil, nil},
		{"english colon", "Hi Ichiro,\n\nPassword: 7hG$2kPq\n\nBest regards", "7hG$2kPq", nil, []string{"Ichiro,"}},
		{"english is", "The password is: nda-2026-11", "nda-2026-11", nil, []string{"is"}},
		{"english is without colon", "Your password is Tr0ub4dor&3.", "Tr0ub4dor&3.", []string{"Tr0ub4dor&3"}, nil},
		{"pw lower", "pw=hunter22", "hunter22", nil, nil},
		{"subject with file name", "パスワード Np8$wZ4r (納品書_1120.zip)", "Np8$wZ4r", nil, nil},
		{"next line", "パスワードは下記の通りです。\n\n  Zx9!kk2L  \n", "Zx9!kk2L", nil, nil},
		{"correction with 正", "先ほどのパスワードに誤りがありました。\n正：Lg3@vB7n\n", "Lg3@vB7n", nil, nil},
		{"password word starting with is", "Password: island77", "island77", nil, []string{"land77"}},
		{"notice subject only", "【パスワード通知】Re: 見積書送付の件", "", nil, []string{"通知】Re:", "Re:"}},
		{"password sent separately", "パスワードは別途お送りいたします。\n\nよろしくお願いいたします。", "", nil, []string{"別途お送りいたします。"}},
		{"english separately", "I will send the password in a separate email.\n\nBest regards,\nJohn Smith", "", nil, []string{"in", "separate"}},
		{"no password talk", "Meeting at 10:00, room B2-41.\nTel: 03-1234-5678", "", nil, []string{"03-1234-5678"}},
		{"email address not a password", "パスワードのご連絡\nyamada@partner.example.co.jp\nPW: Ab12cd34", "Ab12cd34", nil, []string{"yamada@partner.example.co.jp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found := Extract(tt.text)
			var got []string
			for _, f := range found {
				got = append(got, f.Password)
			}
			if tt.first == "" {
				for _, f := range found {
					if f.Strength != Weak {
						t.Errorf("unexpected candidate %q (strength %d) in %q", f.Password, f.Strength, tt.text)
					}
				}
			} else if len(got) == 0 || got[0] != tt.first {
				t.Errorf("Extract(%q) = %q, want %q first", tt.text, got, tt.first)
			}
			for _, a := range tt.also {
				if !slices.Contains(got, a) {
					t.Errorf("Extract(%q) = %q, missing %q", tt.text, got, a)
				}
			}
			for _, n := range tt.never {
				if slices.Contains(got, n) {
					t.Errorf("Extract(%q) = %q, must not contain %q", tt.text, got, n)
				}
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	in := `<html><head><style>p{color:red}</style><script>var pw="decoy1";</script></head>` +
		`<body><p>営業部 御中</p><p>パスワード: <b>hK29&amp;xQ!m</b></p><p>鈴木</p></body></html>`
	bt := mimetext.NewBodyText(1 << 16)
	if err := bt.Collect(strings.NewReader(in), true); err != nil {
		t.Fatal(err)
	}
	text := bt.String()
	found := Extract(text)
	if len(found) == 0 || found[0].Password != "hK29&xQ!m" {
		t.Fatalf("Extract(htmlText) = %v from %q", found, text)
	}
	for _, f := range found {
		if f.Password == "decoy1" || f.Password == `"decoy1";` {
			t.Errorf("script content taken as a candidate: %v", found)
		}
	}
}

func TestExtractBounded(t *testing.T) {
	long := "Password: " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
	for _, f := range Extract(long) {
		if len(f.Password) > maxPasswordLen {
			t.Errorf("candidate of %d bytes kept", len(f.Password))
		}
	}
	if got := Extract("Password: \x00\x01\x02"); len(got) != 0 {
		t.Errorf("control bytes taken as a password: %v", got)
	}
}

func TestRankAttemptsCapsAndOrders(t *testing.T) {
	mails := []mailPasswords{
		{id: "a", found: []Found{{"A1", Strong}, {"Aweak", Weak}}},
		{id: "b", found: []Found{{"B1", Strong}, {"A1", Strong}, {"Bweak", Weak}}},
		{id: "self", found: []Found{{"S1", Medium}}},
	}
	got := rankAttempts(mails, 20)
	var pws []string
	for _, a := range got {
		pws = append(pws, a.password)
	}
	want := []string{"A1", "B1", "S1", "Aweak", "Bweak"}
	if !slices.Equal(pws, want) {
		t.Errorf("order %q, want %q", pws, want)
	}
	if got[0].source != 0 || got[1].source != 1 || got[2].source != 2 {
		t.Errorf("sources %+v", got)
	}
	if capped := rankAttempts(mails, 2); len(capped) != 2 {
		t.Errorf("cap 2 gave %d attempts", len(capped))
	}
}

// FuzzExtract checks that any text gives bounded, single-line candidates
// and never panics.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{"パスワード：Xk7#pQ2m", "ＰＷ：１２３４", "Password is “abc”", "パスワードは「", "【】「」『』", "pw\n\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range Extract(s) {
			if c.Password == "" || len(c.Password) > maxPasswordLen || strings.ContainsAny(c.Password, "\r\n") {
				t.Fatalf("bad candidate %q from %q", c.Password, s)
			}
		}
	})
}

// hostileTexts are built to make a naive extractor quadratic (a line made
// of labels). The test only checks that Extract finishes on them (the test
// timeout catches a hang); BenchmarkExtractHostile measures how fast.
var hostileTexts = []string{
	strings.Repeat("pw ", 80_000),
	strings.Repeat("パスワード「", 40_000),
	strings.Repeat("a:b ", 60_000),
	strings.Repeat("pw\n", 80_000),
}

func TestExtractHostileText(t *testing.T) {
	for _, s := range hostileTexts {
		for _, c := range Extract(s) {
			if len(c.Password) > maxPasswordLen {
				t.Errorf("candidate of %d bytes from a hostile text", len(c.Password))
			}
		}
	}
}

func BenchmarkExtractHostile(b *testing.B) {
	for i := 0; i < b.N; i++ {
		for _, s := range hostileTexts {
			Extract(s)
		}
	}
}

// BenchmarkExtractBulk extracts the candidates of the first 2,000
// generated quarantine mails' texts, as the analysis keeps them: most
// are not password mails, as most of a sender's mails that pairing
// looks at are not.
func BenchmarkExtractBulk(b *testing.B) {
	an := analysis.New(analysis.Config{}).WithPairingText(Config{}.TextBytes(), HoldsPassword)
	var texts []*model.PairingText
	err := demo.Bulk(2000, 1, func(s demo.Sample) error {
		m := an.Analyze(context.Background(), model.MessageID(s.Name), bytes.NewReader(s.Raw))
		texts = append(texts, m.PairingText)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		for _, t := range texts {
			mailCandidates(t.Subject, t.Body, DefaultMaxAttempts)
		}
	}
}

// TestMayHaveLabelMissesNoLabel checks the quick test before labelRE: on
// no line where the expression finds a label may it say there is none.
// Lines come from the tests' texts, the generated quarantine and random
// strings over the letters labels are made of, their other cases and
// widths, and the characters that fold to them (Kelvin sign, long s).
func TestMayHaveLabelMissesNoLabel(t *testing.T) {
	// Every alternative of labelRE, in other cases and forms.
	texts := []string{"ZIPパス: x", "zipパス x", "パスワ-ド: x", "パスワード", "暗証番号 1234", "解凍用のパスワード",
		"PW: x", "pwd x", "P/W x", "Kennwort: x", "mot de passe: x", "PASSCODE x", "passphrase", "zip-pass x",
		"\u212aennwort: x", "pa\u017f\u017fword: x", "ｐａｓｓｗｏｒｄ", "ﾊﾟｽﾜｰﾄﾞ",
		"ZIPPASSWORD: Abc12345", strings.Repeat("x", 300) + " password: late-in-the-line",
		"\xff\xfepassword:\xff x", "\xe3\x83password: x", "zip_pw x"}
	texts = append(texts, hostileTexts...)
	texts = append(texts, bulkTexts(t, 7, false)...)
	texts = append(texts, randomTexts("pPaAsSwWoOrRdDcCeEhHkKnNtTmMzZiI/ _-:\n\u212a\u017fｐＰｗＷパスワード-ﾊﾟｽ暗証番号解凍用のZIP", 12, 1, 2)...)
	checked := 0
	for _, text := range texts {
		for _, line := range strings.Split(Normalize(text), "\n") {
			if labelRE.MatchString(line) {
				checked++
				if !mayHaveLabel(line) {
					t.Fatalf("mayHaveLabel(%q) = false, but labelRE matches", line)
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d lines with a label: the test shows little", checked)
	}
}
