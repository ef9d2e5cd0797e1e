package termtext

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Invoice March", "Invoice March"},
		{"japanese", "請求書のご送付", "請求書のご送付"},
		{"csi clear screen", "hi\x1b[2J\x1b[Hthere", "hi␛␛there"},
		{"csi sgr", "\x1b[31mred\x1b[0m", "␛red␛"},
		{"osc 52 bel", "a\x1b]52;c;ZXZpbA==\x07b", "a␛b"},
		{"osc 52 st", "a\x1b]52;c;ZXZpbA==\x1b\\b", "a␛b"},
		{"osc 8 link", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "␛click␛"},
		{"unterminated osc eats rest", "x\x1b]0;title", "x␛"},
		{"dcs", "\x1bPq#0;2;0;0;0\x1b\\ok", "␛ok"},
		{"two byte escape", "\x1bcreset", "␛reset"},
		{"charset escape", "\x1b(Bok", "␛ok"},
		{"lone esc at end", "end\x1b", "end␛"},
		{"bel and backspace", "a\x07b\x08c", "a␇b␈c"},
		{"del", "a\x7fb", "a␡b"},
		{"c1 csi", "a\u009b2Jb", "a�2Jb"},
		{"tabs and newlines", "a\tb\r\nc", "a b  c"},
		{"rtlo", "invoice\u202efdp.exe", "invoice<RLO>fdp.exe"},
		{"isolates", "\u2067x\u2069", "<RLI>x<PDI>"},
		{"invalid utf8", "a\xff\xfeb", "a\ufffd\ufffdb"},
		{"line separator", "a\u2028b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			if got != tt.want {
				t.Fatalf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.ContainsAny(got, "\x1b\x07\r\n\t") {
				t.Fatalf("Sanitize(%q) left a control in %q", tt.in, got)
			}
		})
	}
}

func TestSanitizeLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"crlf", "a: b\r\nc: d\r\n", []string{"a: b", "c: d", ""}},
		{"escape visible", "S: \x1b]52;c;QQ==\x07x", []string{"S: ^[]52;c;QQ==^Gx"}},
		{"csi visible", "\x1b[2J", []string{"^[[2J"}},
		{"lone cr", "a\rb", []string{"a^Mb"}},
		{"tab expands", "ab\tc", []string{"ab      c"}},
		{"c1", "a\u0085b", []string{"a<85>b"}},
		{"del", "\x7f", []string{"^?"}},
		{"bidi", "x\u202ey", []string{"x<RLO>y"}},
		{"invalid", "\xc3(", []string{"\ufffd("}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeLines(tt.in)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("SanitizeLines(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncateWide(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"abcdef", 4, "abc…"},
		{"abc", 4, "abc"},
		{"請求書のご送付", 6, "請求…"}, // 2+2+1: the third wide char would straddle
		{"請求書のご送付", 5, "請求…"}, // exactly 5
		{"a請求書", 4, "a請…"},    // 1+2+1
		{"請求書", 1, "…"},
		{"", 3, ""},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.width)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		if Width(got) > tt.width {
			t.Errorf("Truncate(%q, %d) is %d wide", tt.in, tt.width, Width(got))
		}
	}
	for _, w := range []int{1, 2, 3, 4, 5, 6, 7, 20} {
		if got := Width(Fit("請求書のご送付", w)); got != w {
			t.Errorf("Fit width %d gave %d columns", w, got)
		}
		if got := Width(FitRight("日本", w)); got != w {
			t.Errorf("FitRight width %d gave %d columns", w, got)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"\x1b]52;c;QQ==\x07", "\x1b[2J", "請求\u202e", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || bidiNames[r] != "" {
				t.Fatalf("Sanitize(%q) kept control %U", s, r)
			}
		}
		for _, line := range SanitizeLines(s) {
			for _, r := range line {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || bidiNames[r] != "" {
					t.Fatalf("SanitizeLines(%q) kept control %U", s, r)
				}
			}
		}
	})
}

func TestWrapWords(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"a bb ccc dddd", 6, []string{"a bb", "ccc", "dddd"}},
		{"見積書 の件 です", 7, []string{"見積書", "の件", "です"}},
		{"averyveryverylongword x", 5, []string{"averyveryverylongword", "x"}},
		{"", 10, []string{""}},
	}
	for _, tt := range tests {
		got := WrapWords(tt.text, tt.width)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("WrapWords(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

func TestSanitizeInvisible(t *testing.T) {
	tests := map[string]string{
		"paypa\u200bl.example": "paypa<U+200B>l.example",
		"a\u00adb":             "a<U+00AD>b",
		"\ufeffsubject":        "<U+FEFF>subject",
		"x\u115fy":             "x<U+115F>y",
		"tag\U000E0041":        "tag<U+E0041>",
	}
	for in, want := range tests {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
		if got := SanitizeLines(in); len(got) != 1 || got[0] != want {
			t.Errorf("SanitizeLines(%q) = %q, want [%q]", in, got, want)
		}
	}
}
