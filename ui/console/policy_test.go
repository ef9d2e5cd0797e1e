package console

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"mxaudit/model"
)

// policyNow is when the exceptions of policyFor are judged.
var policyNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// policyFor is a policy over the senders of msgs that need an exception:
// for every third domain one covering all it needs, for the others one
// covering only the first kind it needs, and an address exception of
// every kind for one sender in five; every other exception kind and a
// revoked one are thrown in.
func policyFor(t *testing.T, msgs []model.Message) *model.Policy {
	t.Helper()
	p := &model.Policy{Approvers: []string{"sato"}}
	add := func(scope model.ExceptionScope, value string, kinds []model.ExceptionKind) *model.Exception {
		v, err := model.NormalizeExceptionValue(scope, value)
		if err != nil {
			return nil
		}
		for i := range p.Exceptions {
			if p.Exceptions[i].Scope == scope && p.Exceptions[i].Value == v {
				return nil
			}
		}
		p.Exceptions = append(p.Exceptions, model.Exception{
			ID: len(p.Exceptions) + 1, Scope: scope, Value: v, Kinds: slices.Clone(kinds), Reason: "test",
			RequestedBy: "tanaka", Created: policyNow.Add(-48 * time.Hour),
			ApprovedBy: "sato", Approved: policyNow.Add(-time.Hour), Expires: policyNow.Add(30 * 24 * time.Hour),
		})
		return &p.Exceptions[len(p.Exceptions)-1]
	}
	all := []model.ExceptionKind{model.KindEncryptedArchive, model.KindDMARCFail, model.KindRiskyType}
	for i := range msgs {
		m := &msgs[i]
		need := model.RequiredKinds(m)
		if len(need) == 0 {
			continue
		}
		switch i % 5 {
		case 0:
			add(model.ScopeAddress, m.FromAddr, all)
		case 1:
			if e := add(model.ScopeDomain, m.FromDomain, all); e != nil {
				e.Revoked = policyNow.Add(-time.Minute)
			}
		case 2:
			add(model.ScopeDomain, m.FromDomain, need)
		default:
			add(model.ScopeDomain, m.FromDomain, need[:1])
		}
	}
	return p
}

// TestRowAnnotationOnAnalysedMail checks, on the demo quarantine as the
// real analysis sees it, that applying a policy to a row gives the row
// of the message the policy was applied to, as setPolicy needs once the
// table keeps rows only.
func TestRowAnnotationOnAnalysedMail(t *testing.T) {
	msgs := analysed(t, demoQuarantine(t, 400))
	// PPAP pairing emits a ZIP mail when its pairing ends, so the order
	// varies from run to run; policyFor picks by position.
	slices.SortFunc(msgs, func(a, b model.Message) int { return strings.Compare(string(a.ID), string(b.ID)) })
	p := policyFor(t, msgs)
	allows, partial := 0, 0
	for i := range msgs {
		row := model.NewRow(&msgs[i])
		annotated := msgs[i]
		p.Annotate(&annotated, policyNow)
		got, changed := p.AnnotateRow(&row, policyNow)
		if want := model.NewRow(&annotated); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: annotated row\n%+v\nrow of the annotated message\n%+v", msgs[i].ID, got, want)
		}
		if changed != (annotated.Exception != nil) {
			t.Errorf("%s: changed = %v with exception %+v", msgs[i].ID, changed, annotated.Exception)
		}
		switch x := annotated.Exception; {
		case x == nil:
		case x.Allows():
			allows++
		default:
			partial++
		}
	}
	t.Logf("%d messages, %d exceptions: %d allowed, %d in part", len(msgs), len(p.Exceptions), allows, partial)
	if allows == 0 || partial == 0 {
		t.Errorf("the policy leaves a case out: %d allowed, %d in part", allows, partial)
	}
}
