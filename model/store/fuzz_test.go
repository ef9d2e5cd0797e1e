package store

import (
	"bufio"
	"bytes"
	"testing"

	"mxaudit/model"
)

// FuzzParsePolicy checks that any file content gives a policy or an
// error, never a panic, and that whatever parses survives a write and a
// re-read unchanged.
func FuzzParsePolicy(f *testing.F) {
	p := model.Policy{NextID: 3, Exceptions: []model.Exception{{
		ID: 2, Scope: model.ScopeDomain, Value: "partner.example.co.jp", Kinds: []model.ExceptionKind{model.KindDMARCFail},
		Reason: "r \"q\" \\ é", RequestedBy: "tanaka", Created: testNow, Expires: testNow.AddDate(0, 1, 0),
	}}}
	f.Add(encodePolicy(&p))
	f.Add([]byte("next_id = 1\n[[exception]]\nid = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePolicy("fuzz.toml", data)
		if err != nil {
			return
		}
		again, err := parsePolicy("fuzz.toml", encodePolicy(&p))
		if err != nil {
			t.Fatalf("a parsed policy does not re-parse after writing: %v\n%s", err, encodePolicy(&p))
		}
		if len(again.Exceptions) != len(p.Exceptions) {
			t.Fatalf("%d exceptions became %d", len(p.Exceptions), len(again.Exceptions))
		}
		for i := range p.Exceptions {
			if again.Exceptions[i].Reason != p.Exceptions[i].Reason || again.Exceptions[i].Value != p.Exceptions[i].Value {
				t.Fatalf("exception %d changed: %+v became %+v", i, p.Exceptions[i], again.Exceptions[i])
			}
		}
	})
}

// FuzzVerify checks that any log content gives a report, never a panic.
func FuzzVerify(f *testing.F) {
	var log bytes.Buffer
	var prev *model.AuditEntry
	for i := range 3 {
		e := model.NewAuditEntry(model.ActionRelease, tanaka, testNow)
		e.Detail = string(rune('a' + i))
		e.SetOutcome(nil)
		line, _ := e.Chain(prev)
		log.Write(append(line, '\n'))
		prev = &e
	}
	f.Add(log.Bytes())
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := verifyRecords(bufio.NewReader(bytes.NewReader(data)), nil)
		if err == nil && r.OK() && r.Records > 0 && r.Head.Hash == "" {
			t.Fatalf("intact log with an empty head hash: %+v", r)
		}
	})
}
