package model

import (
	"slices"
	"testing"
)

// TestSharedRowsAreNeverChanged checks what lets every SSH session list
// the hub's rows without a copy each: a table that was handed shared rows
// sorts and filters them as it would its own, and Replace changes a row
// of the table's own while the shared row, and the other table listing
// it, stay as they were.
func TestSharedRowsAreNeverChanged(t *testing.T) {
	msgs := []Message{
		msg("c", withSize(3), withFrom("Carol <c@x.example>")),
		msg("a", withSize(1), withFrom("Alice <a@x.example>")),
		msg("b", withSize(2), withFrom("Bob <b@x.example>"), withRisk("run.exe", RiskExecutable)),
	}
	shared := NewRowBuilder().Rows(msgs)
	one, other, copied := NewTable(), NewTable(), NewTable()
	one.AppendSharedRows(slices.Clone(shared)...)
	other.AppendSharedRows(slices.Clone(shared)...)
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
	if shared[1].Subject() != "a" || shared[1].Size != 1 {
		t.Errorf("Replace wrote through to the shared row: %+v", shared[1])
	}
	if got := other.RowByID("a"); got == nil || got.Subject() != "a" || got.Size != 1 {
		t.Errorf("the other table lists %+v, want the shared message as it was", got)
	}
	if got := one.RowByID("a"); got == nil || got.Subject() != "changed" || got.Size != 99 {
		t.Errorf("the updated table lists %+v, want the changed message's row", got)
	}
	one.SetSort(SortKey{Column: ColumnSize})
	if got := ids(one); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Errorf("after Replace, by size: %v, want the copy's new size to count", got)
	}
}
