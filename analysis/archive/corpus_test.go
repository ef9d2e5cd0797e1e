package archive

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"mxaudit/mailsrc/demo/corpus"
	"mxaudit/model"
)

func inspectFile(t *testing.T, path string) *model.Archive {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return inspectBytes(b)
}

const (
	zc     = model.EncryptionZipCrypto
	aes128 = model.EncryptionAES128
	aes256 = model.EncryptionAES256
	strong = model.EncryptionStrong
)

// corpusEncrypted is zip/SOURCE.md's table of every encrypted archive, with
// the per-entry methods and names its sub-folders' SOURCE.md give.
var corpusEncrypted = []struct {
	path    string
	method  model.Encryption
	entries []entryFacts // nil: not checked entry by entry
}{
	{"libarchive/test_read_format_zip_traditional_encryption_data.zip", zc, []entryFacts{{"bar.txt", zc}, {"foo.txt", zc}}},
	{"libarchive/tar_test_option_passphrase.zip", zc, []entryFacts{{"file1", zc}, {"file2", zc}}},
	{"libarchive/test_read_format_zip_winzip_aes128.zip", aes128, []entryFacts{{"README", aes128}}},
	{"libarchive/test_read_format_zip_winzip_aes256.zip", aes256, []entryFacts{{"README", aes256}}},
	{"libarchive/test_read_format_zip_winzip_aes256_stored.zip", aes256, []entryFacts{{"README", aes256}}},
	{"libarchive/test_read_format_zip_winzip_aes256_large.zip", aes256,
		[]entryFacts{{"Makefile", aes256}, {"NEWS", aes256}, {"README", aes256}, {"config.h", aes256}}},
	{"libarchive/test_read_format_zip_ppmd8_aes256_streaming.zipx", aes256, []entryFacts{{"encrypted_file.txt", aes256}}},
	{"libarchive/unzip_test_encrypted.zip", aes256, []entryFacts{{"encrypted/", ""}, {"encrypted/file.txt", aes256}}},
	{"libarchive/test_read_format_zip_encryption_data.zip", strong, []entryFacts{{"bar.txt", strong}, {"foo.txt", strong}}},
	{"libarchive/test_read_format_zip_encryption_partially.zip", strong, []entryFacts{{"bar.txt", ""}, {"foo.txt", strong}}},
	{"libarchive/test_read_format_zip_encryption_header.zip", strong, nil},
	{"yeka-zip/hello-aes.zip", aes256, []entryFacts{{"hello.txt", aes256}}},
	{"yeka-zip/world-aes.zip", aes256, []entryFacts{{"hello.txt", aes256}, {"world.txt", aes256}}},
	{"yeka-zip/macbeth-act1.zip", aes256, []entryFacts{{"macbeth-act1.txt", aes256}}},
	{"zifu/zipcrypto_sjis.zip", zc, []entryFacts{{"テスト.txt", zc}}},
	{"zifu/aes256_sjis.zip", aes256, []entryFacts{{"テスト.txt", aes256}}},
	{"zip4j/zip_with_different_passwords.zip", aes256,
		[]entryFacts{{"after_deflate_remaining_bytes.bin", aes256}, {"file_PDF_1MB.pdf", aes256}, {"sample.pdf", ""}}},
	{"zip4j/store_compression_made_with_v1.3.3.zip", aes256, nil},
	{"zip4j/aes_with_extra_data_record_and_corrupt_mac.zip", aes256, []entryFacts{{"sample_text_large.txt", aes256}}},
	{"zip4j/zip64_with_only_file_sizes.zip", zc, []entryFacts{{"hello.txt", zc}}},
	{"zip4j/strong_encrypted.zip", strong, []entryFacts{{"test.txt", strong}}},
}

func TestCorpusEncrypted(t *testing.T) {
	dir := corpus.Dir(t, "zip")
	for _, tt := range corpusEncrypted {
		a := inspectFile(t, filepath.Join(dir, tt.path))
		if !a.Encrypted || a.Encryption != tt.method {
			t.Errorf("%s: encrypted=%v %q, want %q", tt.path, a.Encrypted, a.Encryption, tt.method)
		}
		if tt.entries != nil {
			if a.Error != "" {
				t.Errorf("%s: Error %q", tt.path, a.Error)
			}
			checkEntries(t, tt.path, a, tt.entries)
		}
	}
}

// TestCorpusEncryptedCentralDirectory: nothing can be listed, but the
// archive is reported as encrypted, not as broken.
func TestCorpusEncryptedCentralDirectory(t *testing.T) {
	a := inspectFile(t, filepath.Join(corpus.Dir(t, "zip/libarchive"), "test_read_format_zip_encryption_header.zip"))
	if !strings.Contains(a.Error, "central directory is encrypted") || slices.Contains(a.Risks, model.RiskBrokenArchive) {
		t.Errorf("Error %q, risks %v", a.Error, a.Risks)
	}
}

func TestCorpusStoreCompressionAES(t *testing.T) {
	a := inspectFile(t, filepath.Join(corpus.Dir(t, "zip/zip4j"), "store_compression_made_with_v1.3.3.zip"))
	prefixes := []string{"Passwords__", "Note 4__", "Private stuff__", "Note 2__", "Note 3ql__"}
	if len(a.Entries) != len(prefixes) {
		t.Fatalf("%d entries", len(a.Entries))
	}
	for i, p := range prefixes {
		if e := a.Entries[i]; !strings.HasPrefix(e.Name, p) || e.Encryption != aes256 {
			t.Errorf("entry %d = %q %q, want %s… aes256", i, e.Name, e.Encryption, p)
		}
	}
}

func names(a *model.Archive) []string {
	var out []string
	for _, e := range a.Entries {
		out = append(out, e.Name)
	}
	return out
}

func TestCorpusNames(t *testing.T) {
	dir := corpus.Dir(t, "zip")
	symbols := "©®™★♦♣♥♠€£￥✓♫.txt"
	sevenZip := []string{"HelloWorld.txt", "你好世界.txt", "こんにちは世界.txt", symbols}
	withSrc := func(ns []string) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = "src/" + n
		}
		return out
	}
	tests := []struct {
		path   string
		want   []string
		sorted bool // compare as sets
	}{
		{"libarchive/test_read_format_zip_filename_cp932.zip", []string{"表だよ/一覧表.txt", "表だよ/漢字.txt"}, false},
		{"libarchive/test_read_format_zip_filename_utf8_jp.zip", []string{"表だよ/", "表だよ/一覧表.txt", "表だよ/漢字.txt"}, false},
		{"libarchive/test_read_format_zip_filename_utf8_ru.zip", []string{"ПРИВЕТ", "привет"}, false},
		{"libarchive/test_read_format_zip_msdos.zip", []string{"abc", "def", "def/foo", "ghi/", "jkl", "mno/"}, false},
		{"libarchive/test_read_format_zip_sfx", []string{"file0", "build.sh"}, false},
		{"libarchive/test_read_format_zip_padded1.zip", []string{"file0", "file1"}, false},
		{"libarchive/test_read_format_zip_padded3.zip", []string{"file0", "file1"}, false},
		{"libarchive/test_read_format_zip_with_invalid_traditional_eocd.zip", []string{"test1.txt", "test2.txt"}, false},
		{"yeka-zip/winxp.zip", []string{"hello", "dir/bar", "dir/empty/", "readonly"}, false},
		{"yeka-zip/test-trailing-junk.zip", []string{"test.txt", "gophercolor16x16.png"}, false},
		{"zifu/before.zip", []string{"テスト.txt"}, false},
		{"zifu/after.zip", []string{"テスト.txt"}, false},
		{"zifu/7zip_extra_field.zip", []string{"テスト.txt"}, false},
		{"zifu/implicit_utf8.zip", []string{"テスト.txt"}, false},
		{"zifu/utf8_ascii_mix.zip", []string{"テスト.txt", "test.txt"}, false},
		{"zip-encoding-test/old7z_cp932.zip", sevenZip, true},
		{"zip-encoding-test/old7z_iso8859-1.zip", sevenZip, true},
		{"zip-encoding-test/new7z_cp932.zip", withSrc(sevenZip), true},
		{"zip-encoding-test/new7z_cp936.zip", withSrc(sevenZip), true},
		{"zip-encoding-test/new7z_utf8.zip", withSrc(sevenZip), true},
		{"zip4j/archive-with-no-dir-entries.zip", []string{"items/subitems/beta.txt", "more/alpha.txt", "root.txt"}, false},
	}
	for _, tt := range tests {
		got, want := names(inspectFile(t, filepath.Join(dir, tt.path))), tt.want
		if tt.sorted {
			got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: names %q, want %q", tt.path, got, want)
		}
	}

	// NFD as macOS Finder writes it; the name is kept as stored.
	if got := names(inspectFile(t, filepath.Join(dir, "zifu/mac_finder_emulate.zip"))); len(got) != 1 || norm.NFC.String(got[0]) != "ほげふがぴよ.txt" {
		t.Errorf("mac_finder_emulate.zip: %q", got)
	}
	// Info-ZIP Unicode Path: taken when its CRC matches the central
	// directory's name (entry 4), ignored when stale (entries 2 and 3).
	got := names(inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_7075_utf8_paths.zip")))
	if len(got) != 4 || got[0] != "File 1.txt" || got[3] != "File 4 - å.txt" || got[1] == "File 2 - ö.txt" {
		t.Errorf("7075_utf8_paths: %q", got)
	}
}

func TestCorpusOther(t *testing.T) {
	dir := corpus.Dir(t, "zip")
	nested := inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_nested.zip"))
	if e := nested.Entries[0]; e.Name != "small.zip" || e.Archive == nil || !slices.Equal(names(e.Archive), []string{"another_file.txt"}) ||
		!slices.Contains(e.Risks, model.RiskNestedArchive) {
		t.Errorf("nested.zip: %+v", nested.Entries)
	}
	msdos := inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_msdos.zip"))
	for _, e := range msdos.Entries {
		if wantDir := e.Name == "def" || e.Name == "jkl" || strings.HasSuffix(e.Name, "/"); e.Dir != wantDir {
			t.Errorf("msdos.zip %q: Dir = %v", e.Name, e.Dir)
		}
	}
	high := inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_high_compression.zip"))
	if len(high.Risks) != 0 || high.Entries[0].Size != 262304 {
		t.Errorf("high_compression.zip (ratio 600 on 256 KiB is no bomb): %+v", high)
	}
	off4g := inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_uncompressed_size_off_by_4gib.zip"))
	if off4g.Entries[0].Size != 4294967301 || !slices.Contains(off4g.Risks, model.RiskBomb) {
		t.Errorf("off_by_4gib: 4 GiB declared from 5 bytes: %+v", off4g)
	}
	elf := inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_7z_deflate.zip"))
	if e := elf.Entries[2]; e.Name != "libxkbcommon-x11.so.0.0.0" || !slices.Equal(e.Risks, []model.Risk{model.RiskExecutable}) {
		t.Errorf("7z_deflate: an ELF shared object by magic: %+v", e)
	}
	empty := inspectFile(t, filepath.Join(dir, "zip4j/valid_empty_zip_file.zip"))
	if empty.Error != "" || len(empty.Entries) != 0 || len(empty.Risks) != 0 {
		t.Errorf("valid_empty_zip_file.zip: %+v", empty)
	}
	for _, p := range []string{"zip4j/invalid_zip_file_size_less_than_22kb.zip", "yeka-zip/gophercolor16x16.png"} {
		if a := inspectFile(t, filepath.Join(dir, p)); a.Error == "" || !slices.Contains(a.Risks, model.RiskBrokenArchive) {
			t.Errorf("%s is not a ZIP: %+v", p, a)
		}
	}
	// The end record's signature is damaged; the local header still names
	// the one entry.
	pad := inspectFile(t, filepath.Join(dir, "libarchive/test_read_format_zip_extra_padding.zip"))
	if !slices.Contains(pad.Risks, model.RiskBrokenArchive) || !slices.Equal(names(pad), []string{"a"}) {
		t.Errorf("extra_padding.zip: %+v", pad)
	}
	for _, p := range []string{"zip4j/null-aes-key-strength-in-aes-extra-data-record", "zip4j/invalid_aes_extra_data_record_length_in_header"} {
		if a := inspectFile(t, filepath.Join(dir, p)); !slices.Contains(a.Risks, model.RiskBrokenArchive) || !a.Encrypted {
			t.Errorf("%s: broken, with an encrypted local header: %+v", p, a)
		}
	}
}

// TestCorpusAll inspects every file of the ZIP corpus: no panic, within a
// second, within the entry limit, and no encryption reported on any archive
// that SOURCE.md lists as unencrypted (fuzz files without a central
// directory excepted).
func TestCorpusAll(t *testing.T) {
	dir := corpus.Dir(t, "zip")
	encrypted := map[string]bool{}
	for _, e := range corpusEncrypted {
		encrypted[filepath.FromSlash(e.path)] = true
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.IsDir() || strings.HasSuffix(p, ".md") {
			continue
		}
		seen++
		rel, _ := filepath.Rel(dir, p)
		start := time.Now()
		a := inspectFile(t, p)
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s: took %v", rel, took)
		}
		if a.Format != "zip" || len(a.Entries) > DefaultLimits().MaxEntries || a.TotalEntries < len(a.Entries) {
			t.Errorf("%s: %+v", rel, a)
		}
		if a.Error == "" && a.Encrypted != encrypted[rel] {
			t.Errorf("%s: encrypted = %v, SOURCE.md says %v", rel, a.Encrypted, encrypted[rel])
		}
	}
	if seen < 97 { // 43 + 17 + 9 + 8 + 20 files per the SOURCE.md files
		t.Errorf("only %d corpus files found", seen)
	}
}
