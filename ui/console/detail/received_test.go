package detail

import (
	"strings"
	"testing"
)

func TestHeaderBlockAndReceived(t *testing.T) {
	raw := "Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example with ESMTP; Fri, 28 Nov 2026 09:15:02 +0900\r\n" +
		"Received: by local.example; Thu, 27 Nov 2026 10:00:00 +0000\r\n" +
		"Received: garbage without clauses\r\n" +
		"Subject: hi\r\n\r\nReceived: from body.example by nobody\r\n"
	hdr, err := HeaderBlock(strings.NewReader(raw), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(hdr), "body.example") {
		t.Fatal("HeaderBlock read into the body")
	}
	hops := ParseReceived(hdr)
	want := []string{
		"from a.example [192.0.2.1] by b.example, Fri, 28 Nov 2026 09:15:02 +0900",
		"from - by local.example, Thu, 27 Nov 2026 10:00:00 +0000",
		"from - by -",
	}
	if len(hops) != len(want) {
		t.Fatalf("got %d hops: %+v", len(hops), hops)
	}
	for i := range want {
		if got := hops[i].String(); got != want[i] {
			t.Errorf("hop %d = %q, want %q", i, got, want[i])
		}
	}
}

func TestReceivedIsSanitised(t *testing.T) {
	hops := ParseReceived([]byte("Received: from evil\u202egnp.example by mx\x7f; now\r\n"))
	if len(hops) != 1 {
		t.Fatalf("got %+v", hops)
	}
	if got := hops[0].String(); got != "from evil<RLO>gnp.example by mx␡, now" {
		t.Fatalf("not sanitised: %q", got)
	}
}

func TestHeaderBlockLimit(t *testing.T) {
	hdr, err := HeaderBlock(strings.NewReader(strings.Repeat("X-A: b\r\n", 1000)), 100)
	if err != nil || len(hdr) > 100 {
		t.Fatalf("limit not honoured: %d bytes, %v", len(hdr), err)
	}
}
