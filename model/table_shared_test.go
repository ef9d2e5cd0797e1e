package model

import (
	"slices"
	"testing"
)

// TestSharedMessagesAreNeverChanged checks what lets every SSH session
// list the hub's messages without a copy each: a table that was handed
// shared messages sorts and filters them as it would copies, and Update
// changes a copy in the table while the shared message, and the other
// table listing it, stay as they were.
func TestSharedMessagesAreNeverChanged(t *testing.T) {
	msgs := []Message{
		msg("c", withSize(3), withFrom("Carol <c@x.example>")),
		msg("a", withSize(1), withFrom("Alice <a@x.example>")),
		msg("b", withSize(2), withFrom("Bob <b@x.example>"), withRisk("run.exe", RiskExecutable)),
	}
	shared := []*Message{&msgs[0], &msgs[1], &msgs[2]}
	one, other, copied := NewTable(), NewTable(), NewTable()
	one.AppendShared(slices.Clone(shared)...)
	other.AppendShared(slices.Clone(shared)...)
	copied.Append(slices.Clone(msgs)...)

	for _, f := range []Filter{{}, {Text: "bob"}, {RiskyOnly: true}, {Text: "-from:carol"}} {
		for _, k := range []SortKey{{Column: ColumnSize}, {Column: ColumnFrom, Desc: true}, {Column: ColumnSubject}} {
			for _, tab := range []*Table{one, copied} {
				tab.SetSort(k)
				tab.SetFilter(f)
			}
			if got, want := ids(one), ids(copied); !slices.Equal(got, want) {
				t.Errorf("sort %v filter %+v: shared %v, copies %v", k, f, got, want)
			}
		}
	}

	one.SetFilter(Filter{})
	changed := msgs[1]
	changed.Subject, changed.Size = "changed", 99
	if !one.Replace(&changed) {
		t.Fatal("Replace did not find a")
	}
	if msgs[1].Subject != "a" || msgs[1].Size != 1 {
		t.Errorf("Replace wrote through to the shared message: %+v", msgs[1])
	}
	if got := other.RowByID("a"); got == nil || got.Subject != "a" || got.Size != 1 {
		t.Errorf("the other table lists %+v, want the shared message as it was", got)
	}
	if got := one.RowByID("a"); got == nil || got.Subject != "changed" || got.Size != 99 {
		t.Errorf("the updated table lists %+v, want the changed message's row", got)
	}
	one.SetSort(SortKey{Column: ColumnSize})
	if got := ids(one); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Errorf("after Replace, by size: %v, want the copy's new size to count", got)
	}
}
