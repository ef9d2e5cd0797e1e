package model

import (
	"testing"
	"time"
)

// queryMessages are the messages the query tests filter.
func queryMessages() []Message {
	zip := func(enc Encryption, risks ...Risk) []Attachment {
		return []Attachment{{Filename: "a.zip", Archive: &Archive{Encrypted: enc != "", Encryption: enc,
			Entries: []Entry{{Name: "a.exe", Encrypted: enc != "", Encryption: enc, Risks: risks}}}}}
	}
	return []Message{
		{ID: "1", From: "Tanaka <tanaka@corp.example.jp>", FromAddr: "tanaka@corp.example.jp", FromDomain: "corp.example.jp",
			To: []string{"ops@example.com"}, Subject: "見積書", MessageID: "<abc@corp.example.jp>",
			Date:        time.Date(2026, 11, 10, 12, 0, 0, 0, time.Local),
			Attachments: zip(EncryptionZipCrypto), Verdict: Verdict{Attachment: AttachmentEncrypted, Auth: AuthPass},
			Auth: &Auth{SPF: SPFResult{Result: ResultPass, IP: "203.0.113.7", Domain: "corp.example.jp"}}},
		{ID: "2", From: "Bank <alert@bank.example>", FromAddr: "alert@bank.example", FromDomain: "bank.example",
			Cc: []string{"audit@example.com"}, Subject: "Your account", MessageID: "<x1@bank.example>",
			Date:    time.Date(2026, 11, 30, 23, 0, 0, 0, time.Local),
			Verdict: Verdict{Attachment: AttachmentClean, Auth: AuthFail},
			Auth:    &Auth{SPF: SPFResult{Result: ResultFail, IP: "198.51.100.9"}}},
		{ID: "3", From: "Shop <news@shop.example>", FromDomain: "shop.example", Subject: "Offers",
			Date:        time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local),
			Attachments: zip(EncryptionAES256, RiskExecutable), Verdict: Verdict{Attachment: AttachmentEncrypted, Auth: AuthTempError},
			Exception: &ExceptionMatch{}},
		{ID: "4", Subject: "broken", Error: "cannot read", Verdict: Verdict{Attachment: AttachmentError}},
	}
}

func TestQuery(t *testing.T) {
	msgs := queryMessages()
	tests := []struct {
		query string
		want  string // IDs matched, in order
	}{
		{"", "1234"},
		{"from:tanaka", "1"},
		{"from:BANK", "2"},
		{"to:ops@", "1"},
		{"to:audit", "2"},
		{"subject:見積", "1"},
		{"msgid:x1@", "2"},
		{"ip:203.0.113.", "1"},
		{"ip:198.51.100.0/24", "2"},
		{"domain:example.jp", "1"},
		{"domain:shop.example", "3"},
		{"date:2026-11-01..2026-11-30", "12"},
		{"date:2026-12-01", "3"},
		{"date:..2026-11-10", "1"},
		{"date:2026-11-11..", "23"},
		{"auth:fail", "2"},
		{"auth:temperror", "3"},
		{"enc:zipcrypto", "1"},
		{"enc:aes", "3"},
		{"enc:any", "13"},
		{"risk:exec", "3"},
		{"is:error", "4"},
		{"is:excepted", "3"},
		{"is:encrypted -enc:aes", "1"},
		{"-is:error -from:bank", "13"},
		{"offers", "3"},
		{"example -shop", "12"},
		{"is:marked", "2"},
	}
	for _, tt := range tests {
		q, err := ParseQuery(tt.query)
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		q.Marked = func(id MessageID) bool { return id == "2" }
		got := ""
		for i := range msgs {
			if q.Match(&msgs[i], haystack(&msgs[i])) {
				got += string(msgs[i].ID)
			}
		}
		if got != tt.want {
			t.Errorf("%q matches %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestQueryErrorsAndDetection(t *testing.T) {
	for _, bad := range []string{"date:2026-13-01", "ip:300.1.1.1/8", "auth:", "date:yesterday"} {
		if _, err := ParseQuery(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for text, want := range map[string]bool{"shop": false, "shop news": false, "from:x": true, "-spam": true,
		"re: hello": false, "-": false, "http://x": false} {
		if IsQuery(text) != want {
			t.Errorf("IsQuery(%q) = %v", text, !want)
		}
	}
}

// TestTableUsesQuery: the table filters with the language, and a query
// that widens ("-a" to "-ab") starts again from all messages.
func TestTableUsesQuery(t *testing.T) {
	tab := NewTable()
	tab.Append(queryMessages()...)
	tab.SetFilter(Filter{Text: "-bank"})
	if tab.Len() != 3 {
		t.Fatalf("-bank shows %d", tab.Len())
	}
	tab.SetFilter(Filter{Text: "-banks"})
	if tab.Len() != 4 {
		t.Fatalf("-banks shows %d", tab.Len())
	}
}

// BenchmarkQueryKeystroke measures one keystroke of a filter-language
// query over 100,000 messages (a full pass each time).
func BenchmarkQueryKeystroke(b *testing.B) {
	tab := NewTable()
	tab.Append(benchMessages(100_000)...)
	texts := []string{"from:user -domain:d13.example date:2026-11-01..2026-11-20", "auth:fail -from:user subject:x"}
	i := 0
	for b.Loop() {
		tab.SetFilter(Filter{Text: texts[i%2]})
		i++
	}
}
