package demo

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"mxaudit/model"
)

func TestSamplesDeterministic(t *testing.T) {
	a, b := Samples(Options{Seed: 1}), Samples(Options{})
	if len(a) != len(b) || len(a) < 55 || len(a) > 70 {
		t.Fatalf("%d and %d samples, want the same count of about sixty", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Raw, b[i].Raw) {
			t.Fatalf("sample %d differs between runs with the same seed", i)
		}
	}
	c := Samples(Options{Seed: 2})
	differ := 0
	for i := range a {
		if a[i].Want.Scenario != c[i].Want.Scenario {
			t.Fatalf("sample %d: the seed changed the scenario", i)
		}
		if !bytes.Equal(a[i].Raw, c[i].Raw) {
			differ++
		}
	}
	if differ != len(a) {
		t.Errorf("only %d of %d samples change with the seed", differ, len(a))
	}
}

func TestSamplesWellFormed(t *testing.T) {
	names := map[string]bool{}
	for _, s := range Samples(Options{}) {
		if names[s.Name] {
			t.Errorf("duplicate name %s", s.Name)
		}
		names[s.Name] = true
		if s.Want.Scenario == "" {
			t.Errorf("%s: no scenario", s.Name)
		}
		if bytes.Contains(bytes.ReplaceAll(s.Raw, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s: bare LF", s.Name)
		}
		for _, line := range bytes.Split(s.Raw, []byte("\r\n")) {
			if len(line) > 998 {
				t.Errorf("%s: line of %d bytes", s.Name, len(line))
				break
			}
		}
		// the pairing is ground truth only: never in the message
		if s.Want.PasswordFor != "" && bytes.Contains(s.Raw, []byte(s.Want.PasswordFor)) {
			t.Errorf("%s: names its ZIP mail", s.Name)
		}
	}
}

func TestVerdictMix(t *testing.T) {
	count := map[model.AttachmentVerdict]int{}
	auth := map[model.AuthVerdict]int{}
	risks := map[model.Risk]bool{}
	methods := map[model.Encryption]bool{}
	for _, s := range Samples(Options{}) {
		count[s.Want.Attachment]++
		auth[s.Want.Auth.Verdict]++
		for _, r := range s.Want.Risks {
			risks[r] = true
		}
		for _, f := range s.Want.Files {
			if f.Archive != nil {
				methods[f.Archive.Encryption] = true
				for _, r := range f.Archive.InnerRisks {
					risks[r] = true
				}
			}
		}
	}
	if count[model.AttachmentEncrypted] < 12 || count[model.AttachmentRisky] < 6 || count[model.AttachmentError] < 2 || count[model.AttachmentClean] < 10 {
		t.Errorf("attachment verdicts %v: want mostly encrypted, some risky, a few errors", count)
	}
	if auth[model.AuthFail] < 8 || auth[model.AuthPass] < 20 || auth[model.AuthNone] < 3 {
		t.Errorf("auth verdicts %v", auth)
	}
	for _, r := range []model.Risk{model.RiskExecutable, model.RiskDoubleExtension, model.RiskMacro, model.RiskNestedArchive, model.RiskBomb, model.RiskRTLO, model.RiskBrokenArchive} {
		if !risks[r] {
			t.Errorf("no sample carries risk %s", r)
		}
	}
	for _, m := range []model.Encryption{model.EncryptionZipCrypto, model.EncryptionAES128, model.EncryptionAES256} {
		if !methods[m] {
			t.Errorf("no archive uses %s", m)
		}
	}
}

func TestPPAPPairing(t *testing.T) {
	samples := Samples(Options{})
	byName := map[string]Sample{}
	for _, s := range samples {
		byName[s.Name] = s
	}
	notices, wrong := 0, 0
	for _, s := range samples {
		if s.Want.PasswordFor == "" {
			continue
		}
		notices++
		zip, ok := byName[s.Want.PasswordFor]
		if !ok || zip.Want.Password == "" {
			t.Fatalf("%s: PasswordFor %q is not an encrypted-ZIP sample", s.Name, s.Want.PasswordFor)
		}
		if (s.Want.StatedPassword == zip.Want.Password) != s.Want.PasswordCorrect {
			t.Errorf("%s: stated %q, ZIP password %q, correct=%v", s.Name, s.Want.StatedPassword, zip.Want.Password, s.Want.PasswordCorrect)
		}
		if !s.Want.PasswordCorrect {
			wrong++
		}
		if s.Name < zip.Name {
			t.Errorf("%s: password notification arrives before its ZIP", s.Name)
		}
		text, err := bodyTexts(s.Raw)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if !strings.Contains(norm.NFKC.String(text), s.Want.StatedPassword) {
			t.Errorf("%s: stated password %q not in the mail", s.Name, s.Want.StatedPassword)
		}
		if bytes.Contains(zip.Raw, []byte(zip.Want.Password)) {
			t.Errorf("%s: the ZIP mail itself contains its password", zip.Name)
		}
	}
	if notices < 12 || wrong < 2 {
		t.Errorf("%d password notifications, %d wrong; want the full set of variants", notices, wrong)
	}
	for _, s := range samples {
		if s.Want.PasswordMail == "" {
			continue
		}
		pw, ok := byName[s.Want.PasswordMail]
		if !ok || pw.Want.PasswordFor != s.Name || !pw.Want.PasswordCorrect {
			t.Errorf("%s: PasswordMail %q does not carry its right password", s.Name, s.Want.PasswordMail)
		}
	}
}
