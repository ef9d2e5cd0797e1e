package imap

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url     string
		want    endpoint
		wantErr string
	}{
		{url: "imaps://ops@mail.example.com/Quarantine", want: endpoint{implicitTLS: true, addr: "mail.example.com:993", host: "mail.example.com", user: "ops", mailbox: "Quarantine"}},
		{url: "imap://ops%40example.com@mail.example.com:1143/Spam/Held", want: endpoint{addr: "mail.example.com:1143", host: "mail.example.com", user: "ops@example.com", mailbox: "Spam/Held"}},
		{url: "imaps://ops@[::1]/", want: endpoint{implicitTLS: true, addr: "[::1]:993", host: "::1", user: "ops", mailbox: "INBOX"}},
		{url: "IMAPS://ops@h", want: endpoint{implicitTLS: true, addr: "h:993", host: "h", user: "ops", mailbox: "INBOX"}},
		{url: "imaps://ops:hunter2@h/Q", wantErr: "password in the URL is refused"},
		{url: "imaps://h/Q", wantErr: "names no user"},
		{url: "pop3://ops@h/Q", wantErr: "not imap or imaps"},
		{url: "imaps://ops@h/Q?x=1", wantErr: "query"},
		{url: "imaps://ops@/Q", wantErr: "no host"},
		{url: "imaps://ops:hunter2@h:99999999999999999999/%zz", wantErr: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := parseURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEndpointStringHasNoSecret(t *testing.T) {
	ep, err := parseURL("imaps://ops%40example.com@h:993/Quar%20antine")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ep.String(), "imaps://ops%40example.com@h:993/Quar%20antine"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestDiffUIDs(t *testing.T) {
	added, removed := diffUIDs(uids(1, 2, 4, 7), uids(2, 3, 4, 8, 9))
	if got, want := join(added), "3,8,9"; got != want {
		t.Errorf("added = %s, want %s", got, want)
	}
	if got, want := join(removed), "1,7"; got != want {
		t.Errorf("removed = %s, want %s", got, want)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prev := backoff(1)
	if prev < 250e6 || prev > 300e6 {
		t.Fatalf("backoff(1) = %v", prev)
	}
	for n := 2; n < 20; n++ {
		d := backoff(n)
		if d > 12e9 {
			t.Fatalf("backoff(%d) = %v, above the cap", n, d)
		}
	}
	if backoff(4) < 2e9 {
		t.Fatalf("backoff(4) = %v, want ≥ 2s", backoff(4))
	}
}

func TestRFC2231Param(t *testing.T) {
	tests := []struct {
		params map[string]string
		want   string
	}{
		{map[string]string{"filename*": "UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.zip"}, "請求書.zip"},
		{map[string]string{"filename*0*": "UTF-8''%E8%AB%8B", "filename*1": "x.zip"}, "請x.zip"},
		{map[string]string{"filename*": `bad "quoted" \ value`}, ""},
		{map[string]string{"name": "plain.zip"}, ""},
	}
	for _, tt := range tests {
		if got := rfc2231Param(tt.params, "filename"); got != tt.want {
			t.Errorf("rfc2231Param(%v) = %q, want %q", tt.params, got, tt.want)
		}
	}
}
