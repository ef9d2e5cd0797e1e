package action

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"mxaudit/mailsrc/demo"
)

// TestPlanToCcNeedsExplicitRecipients checks that a message with no
// recorded envelope is not released to the To/Cc addresses its sender
// wrote unless the operator names the recipients.
func TestPlanToCcNeedsExplicitRecipients(t *testing.T) {
	samples := pick(1, clean)
	// Strip the envelope headers the gateway recorded, and let the
	// sender's To name an outside address.
	var kept [][]byte
	for _, line := range bytes.SplitAfter(samples[0].Raw, []byte("\r\n")) {
		l := strings.ToLower(string(line))
		if strings.HasPrefix(l, "x-original-to:") || strings.HasPrefix(l, "delivered-to:") || strings.HasPrefix(l, "x-envelope-to:") {
			continue
		}
		kept = append(kept, line)
	}
	samples[0].Raw = bytes.Join(kept, nil)
	samples[0].Raw = bytes.Replace(samples[0].Raw, []byte("\r\nTo: "), []byte("\r\nTo: outside@elsewhere.example, "), 1)
	f := newFixture(t, demo.FormatMaildir, samples)
	sink := newSMTPSink(t)
	s := f.service(f.src, "tanaka", sink.Addr)
	ctx := context.Background()

	p, err := s.Plan(ctx, Request{Kind: Release, IDs: f.ids}, f.messages(f.ids...))
	if err != nil {
		t.Fatal(err)
	}
	if p.Blocked != 1 || !strings.Contains(p.Items[0].Blocked, "choose the recipients explicitly") {
		t.Fatalf("plan without chosen recipients: blocked %d %q", p.Blocked, p.Items[0].Blocked)
	}
	if !p.Items[0].FromHeaders {
		t.Fatal("the recipients did not come from To/Cc: the test message still has an envelope header")
	}

	inside := p.Items[0].Original[len(p.Items[0].Original)-1]
	p, err = s.Plan(ctx, Request{Kind: Release, IDs: f.ids, To: []string{inside}}, f.messages(f.ids...))
	if err != nil || p.Blocked != 0 || len(p.Items[0].Recipients) != 1 || p.Items[0].Recipients[0] != inside {
		t.Fatalf("plan with an explicit recipient: %v %+v", err, p.Items[0])
	}
}
