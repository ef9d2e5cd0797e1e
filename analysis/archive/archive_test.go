package archive

import (
	"bytes"
	"slices"
	"testing"

	yzip "github.com/yeka/zip"

	"mxaudit/model"
)

func inspectBytes(b []byte) *model.Archive {
	return Inspect(bytes.NewReader(b), int64(len(b)), "test.zip", Limits{})
}

// entryFacts is what a test expects of one entry.
type entryFacts struct {
	name string
	enc  model.Encryption // "" = not encrypted
}

func checkEntries(t *testing.T, label string, a *model.Archive, want []entryFacts) {
	t.Helper()
	if len(a.Entries) != len(want) {
		t.Fatalf("%s: %d entries, want %d: %+v", label, len(a.Entries), len(want), a.Entries)
	}
	for i, w := range want {
		e := a.Entries[i]
		if e.Name != w.name || e.Encrypted != (w.enc != "") || e.Encryption != w.enc {
			t.Errorf("%s: entry %d = %q encrypted=%v %q; want %q %q", label, i, e.Name, e.Encrypted, e.Encryption, w.name, w.enc)
		}
	}
}

func TestInspectEncryption(t *testing.T) {
	secret := bytes.Repeat([]byte("confidential quotation\n"), 100)
	enc := func(name string, m yzip.EncryptionMethod) file {
		return file{name: name, data: secret, password: "infected", enc: m}
	}
	tests := []struct {
		name    string
		files   []file
		archive model.Encryption
		entries []entryFacts
	}{
		{"zipcrypto", []file{enc("a.pdf", yzip.StandardEncryption)}, model.EncryptionZipCrypto,
			[]entryFacts{{"a.pdf", model.EncryptionZipCrypto}}},
		{"aes128", []file{enc("a.pdf", yzip.AES128Encryption)}, model.EncryptionAES128,
			[]entryFacts{{"a.pdf", model.EncryptionAES128}}},
		{"aes192", []file{enc("a.pdf", yzip.AES192Encryption)}, model.EncryptionAES192,
			[]entryFacts{{"a.pdf", model.EncryptionAES192}}},
		{"aes256", []file{enc("a.pdf", yzip.AES256Encryption)}, model.EncryptionAES256,
			[]entryFacts{{"a.pdf", model.EncryptionAES256}}},
		{"mixed: strongest wins", []file{
			{name: "readme.txt", data: []byte("plain")},
			enc("a.pdf", yzip.StandardEncryption),
			enc("b.pdf", yzip.AES256Encryption),
			enc("c.pdf", yzip.AES128Encryption),
		}, model.EncryptionAES256, []entryFacts{
			{"readme.txt", ""}, {"a.pdf", model.EncryptionZipCrypto}, {"b.pdf", model.EncryptionAES256}, {"c.pdf", model.EncryptionAES128},
		}},
		{"plain only", []file{{name: "a.txt", data: secret}}, model.EncryptionNone, []entryFacts{{"a.txt", ""}}},
		{"utf8-flagged encrypted name", []file{{name: "見積書.pdf", data: secret, utf8Flag: true, password: "pw", enc: yzip.AES256Encryption}},
			model.EncryptionAES256, []entryFacts{{"見積書.pdf", model.EncryptionAES256}}},
		{"cp932 encrypted name (PPAP)", []file{{name: sjis(t, "請求書_2024年.pdf"), data: secret, password: "pw", enc: yzip.StandardEncryption}},
			model.EncryptionZipCrypto, []entryFacts{{"請求書_2024年.pdf", model.EncryptionZipCrypto}}},
	}
	for _, tt := range tests {
		a := inspectBytes(yekaZipBytes(t, tt.files...))
		if a.Error != "" {
			t.Fatalf("%s: Error %q", tt.name, a.Error)
		}
		if a.Encrypted != (tt.archive != "") || a.Encryption != tt.archive {
			t.Errorf("%s: archive encrypted=%v %q, want %q", tt.name, a.Encrypted, a.Encryption, tt.archive)
		}
		if a.Format != "zip" || a.TotalEntries != len(tt.files) {
			t.Errorf("%s: format %q, total %d", tt.name, a.Format, a.TotalEntries)
		}
		checkEntries(t, tt.name, a, tt.entries)
	}
}

func TestInspectNames(t *testing.T) {
	tests := []struct {
		name  string
		build func() []byte
		want  []string
	}{
		{"cp932 without flag", func() []byte {
			return stdZipBytes(t, file{name: sjis(t, "表だよ/一覧表.txt"), data: []byte("x"), nonUTF8: true},
				file{name: sjis(t, "ﾃｽﾄ.txt"), data: []byte("x"), nonUTF8: true})
		}, []string{"表だよ/一覧表.txt", "ﾃｽﾄ.txt"}},
		{"utf8 flagged (yeka)", func() []byte {
			return yekaZipBytes(t, file{name: "資料/説明.docx", data: []byte("x"), utf8Flag: true})
		}, []string{"資料/説明.docx"}},
		{"utf8 flagged (stdlib sets the flag itself)", func() []byte {
			return stdZipBytes(t, file{name: "Привет.txt", data: []byte("x")})
		}, []string{"Привет.txt"}},
		{"utf8 without flag", func() []byte {
			return stdZipBytes(t, file{name: "テスト.txt", data: []byte("x"), nonUTF8: true})
		}, []string{"テスト.txt"}},
	}
	for _, tt := range tests {
		a := inspectBytes(tt.build())
		var got []string
		for _, e := range a.Entries {
			got = append(got, e.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: names %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestInspectDirectories(t *testing.T) {
	a := inspectBytes(stdZipBytes(t, file{name: "evil.exe/"}, file{name: "evil.exe/readme.txt", data: []byte("x")}))
	if len(a.Entries) != 2 || !a.Entries[0].Dir || a.Entries[1].Dir {
		t.Fatalf("entries %+v", a.Entries)
	}
	if len(a.Entries[0].Risks) != 0 || len(a.Entries[1].Risks) != 0 {
		t.Errorf("a directory named .exe is not an executable: %+v", a.Entries)
	}
}

// TestInspectConcurrent runs inspections of one input side by side; with
// -race it shows that Inspect shares no mutable state.
func TestInspectConcurrent(t *testing.T) {
	zip := stdZipBytes(t, file{name: "inner.zip", data: ooxml(t, true)}, file{name: "a.exe", data: []byte("MZ")})
	want := inspectBytes(zip).AllRisks()
	done := make(chan []model.Risk)
	for range 8 {
		go func() { done <- inspectBytes(zip).AllRisks() }()
	}
	for range 8 {
		if got := <-done; !slices.Equal(got, want) {
			t.Errorf("concurrent result %v, want %v", got, want)
		}
	}
}
