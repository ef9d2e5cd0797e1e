package model

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// senderMessages are rowMessages whose senders, DMARC results and
// archives vary the way exceptions and the partner inventory look at
// them: addresses in and out of the exceptions' scopes, in upper case,
// with a Unicode domain or the Kelvin sign (which lower-cases to "k"),
// From domains that differ from the address's or are missing, every
// DMARC result under every policy, archives the PPAP budget left
// unchecked, organisational domains, t=y, and recipients written every
// way.
func senderMessages(r *rand.Rand, n int) []Message {
	pick := func(ss ...string) string { return ss[r.IntN(len(ss))] }
	out := rowMessages(r, n)
	for i := range out {
		m := &out[i]
		m.FromAddr = pick("", "alert@bank.example", "ALERT@Bank.Example", "other@bank.example", "tanaka@corp.example.jp",
			"a@mx.corp.example.jp", "\u212A@x.example", "k@x.example", "K@X.example", "u@例え.jp", "not-an-address",
			"a@b@x.example", "b@bucket.s3.amazonaws.com")
		switch r.IntN(4) {
		case 0:
			m.FromDomain = ""
		case 1:
			m.FromDomain = pick("bank.example", "Corp.Example.JP", "mx.corp.example.jp", "例え.jp", "other.example")
		default:
			m.FromDomain = m.FromAddr[strings.LastIndexByte(m.FromAddr, '@')+1:]
		}
		if m.Auth != nil {
			d := &m.Auth.DMARC
			d.Result = []Result{"", ResultPass, ResultFail, ResultNone, ResultPermError, ResultTempError}[r.IntN(6)]
			d.Policy = []Disposition{"", DispositionNone, DispositionQuarantine, DispositionReject}[r.IntN(4)]
			d.Disposition = []Disposition{"", DispositionNone, DispositionQuarantine, DispositionReject}[r.IntN(4)]
			d.Testing = r.IntN(3) == 0
			d.OrgDomain = pick("", "", "bank.example", "Corp.Example.JP", "org.example")
		}
		for j := range m.Attachments {
			if a := m.Attachments[j].Archive; a != nil && r.IntN(3) == 0 {
				a.NotChecked = pick(NotCheckedBudget, NotCheckedDecided)
			}
		}
		m.To = []string{pick("ops@home.example", "Keiri <Keiri@Home.example>", `"Sales, JP" <sales@home.example>`,
			"=?UTF-8?B?6YOo6ZW3?= <bucho@home.example>", "=?UTF-8?B?PEV2aWxAWC5FeGFtcGxlPg==?= <Real@Home.Example>",
			"田中 一郎 <Ichiro.Tanaka@Home.Example>", "\u212A@home.example", "\u212Aeiri <k@home.example>",
			"a@home.example (Boss <boss@home.example>)", `"x <y@home.example>" <Z@Home.Example>`,
			"undisclosed-recipients:;", "x@outside.example", "")}
		if r.IntN(3) == 0 {
			m.Cc = []string{pick("cc@home.example", "a@b@c", "<Boss@Home.Example>")}
		}
	}
	return out
}

// kindPolicy has exceptions of every kind, scope and status over the
// senders of senderMessages.
func kindPolicy(t *testing.T) *Policy {
	t.Helper()
	all := []ExceptionKind{KindEncryptedArchive, KindDMARCFail, KindRiskyType}
	unicode, err := NormalizeExceptionValue(ScopeDomain, "例え.jp")
	if err != nil {
		t.Fatal(err)
	}
	expired := activeException(7, ScopeDomain, "x.example", all...)
	expired.Expires = testNow.Add(-time.Hour)
	revoked := activeException(8, ScopeDomain, "bank.example", all...)
	revoked.Revoked = testNow.Add(-time.Minute)
	pending := activeException(9, ScopeDomain, "corp.example.jp", all...)
	pending.ApprovedBy = ""
	return &Policy{Approvers: []string{"sato"}, Exceptions: []Exception{
		activeException(1, ScopeAddress, "alert@bank.example", all...),
		activeException(2, ScopeDomain, "bank.example", KindDMARCFail),
		activeException(3, ScopeDomain, "corp.example.jp", KindEncryptedArchive),
		activeException(4, ScopeDomain, "*.corp.example.jp", KindRiskyType, KindEncryptedArchive),
		activeException(5, ScopeAddress, "k@x.example", all...),
		activeException(6, ScopeDomain, "x.example", KindRiskyType),
		expired, revoked, pending,
		activeException(10, ScopeDomain, unicode, KindEncryptedArchive, KindDMARCFail),
		activeException(11, ScopeDomain, "*.amazonaws.com", all...),
	}}
}

// TestAnnotateRowMatchesAnnotate checks that applying a policy to a row
// gives the row of the message Annotate applied it to, for generated
// messages under exceptions of every kind, scope and status; and that
// the messages cover every kind, fully and in part.
func TestAnnotateRowMatchesAnnotate(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 23))
	msgs := senderMessages(r, 3000)
	p := kindPolicy(t)
	byID, byKind := map[int]int{}, map[ExceptionKind]int{}
	allows, partial, changed := 0, 0, 0
	for i := range msgs {
		m := &msgs[i]
		old := NewRow(m) // with the exception the generator gave it, stale
		if got, want := old.RequiredKinds(), RequiredKinds(m); !slices.Equal(got, want) {
			t.Fatalf("%s: row requires %v, message %v", m.ID, got, want)
		}
		annotated := *m
		p.Annotate(&annotated, testNow)
		want := NewRow(&annotated)
		if x := p.MatchRow(&old, testNow); !reflect.DeepEqual(x, annotated.Exception) {
			t.Fatalf("%s from %q (%q): row matched %+v, message %+v", m.ID, m.FromAddr, m.FromDomain, x, annotated.Exception)
		}
		got, ch := p.AnnotateRow(&old, testNow)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: annotated row\n%+v\nrow of the annotated message\n%+v", m.ID, got, want)
		}
		if ch != !sameCover(m.Exception, annotated.Exception) {
			t.Errorf("%s: changed = %v, from %+v to %+v", m.ID, ch, m.Exception, annotated.Exception)
		}
		if again, ch := p.AnnotateRow(&got, testNow); ch || !reflect.DeepEqual(again, got) {
			t.Errorf("%s: annotating twice changed the row", m.ID)
		}
		if ch {
			changed++
		}
		if x := annotated.Exception; x != nil {
			byID[x.ID]++
			for _, k := range x.Kinds {
				byKind[k]++
			}
			if x.Allows() {
				allows++
			} else {
				partial++
			}
		}
	}
	for _, id := range []int{1, 2, 3, 4, 5, 6, 10} {
		if byID[id] == 0 {
			t.Errorf("no message is covered by exception %d: %v", id, byID)
		}
	}
	for _, id := range []int{7, 8, 9, 11} {
		if byID[id] != 0 {
			t.Errorf("exception %d covers %d messages; it must cover none", id, byID[id])
		}
	}
	if len(byKind) != 3 || allows == 0 || partial == 0 || changed == 0 || changed == len(msgs) {
		t.Errorf("the data leaves a case out: kinds %v, %d allowed, %d partial, %d changed of %d", byKind, allows, partial, changed, len(msgs))
	}
}

// sameCover reports whether two matches are equal field by field, the
// expiry as an instant: what Same must say.
func sameCover(a, b *ExceptionMatch) bool {
	if a == nil || b == nil {
		return a == b
	}
	ac, bc := *a, *b
	if !ac.Expires.Equal(bc.Expires) {
		return false
	}
	ac.Expires, bc.Expires = time.Time{}, time.Time{}
	return reflect.DeepEqual(ac, bc)
}

// TestKelvinSignIsNotK: the sign lower-cases to an ASCII "k", but an
// address holding it is no address an exception for k@x.example names.
func TestKelvinSignIsNotK(t *testing.T) {
	p := kindPolicy(t)
	m := encryptedFrom("\u212A@x.example")
	row := NewRow(m)
	if x := p.MatchRow(&row, testNow); x != nil && x.ID == 5 {
		t.Fatalf("the Kelvin sign matched k@x.example: %+v", x)
	}
	m = encryptedFrom("K@X.example")
	row = NewRow(m)
	if x := p.MatchRow(&row, testNow); x == nil || x.ID != 5 {
		t.Fatalf("K@X.example: %+v, want exception 5", x)
	}
}
