package app

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"mxaudit/model"
	"mxaudit/model/store"
)

// TestSnapshotCountReadsOnlyTheHead: the count is read ahead from a
// snapshot as the recorder writes it, and from nothing else.
func TestSnapshotCountReadsOnlyTheHead(t *testing.T) {
	written, err := json.Marshal(scanSnapshot{Version: snapshotVersion, Digest: "d", Count: 7,
		Changed:  []changedMessage{{ID: "cur/a", Ref: store.RecordRef{Off: 1, Len: 2, Written: 3}}},
		Uncached: []model.MessageID{"cur/b"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		raw   string
		count int
		ok    bool
	}{
		{string(written), 7, true},
		{`{"v":1,"digest":"d","count":0}`, 0, true},
		{`{"count":12,"changed":[]}`, 12, true},
		{`{"changed":[{"id":"x"}],"count":3}`, 0, false}, // a list before it
		{`{"v":{"x":1},"count":3}`, 0, false},
		{`{"v":1,"count":-1}`, 0, false},
		{`{"v":1,"count":1.5}`, 0, false},
		{`{"v":1,"count":"3"}`, 0, false},
		{`{"v":1,"count":4294967296}`, 0, false},
		{`{"v":1,"Count":3}`, 0, false}, // only the spelling we write
		{`{"v":1,"digest":"d"}`, 0, false},
		{`[1,2]`, 0, false},
		{`{"v":1,"count":`, 0, false},
		{``, 0, false},
	} {
		count, ok := snapshotCount([]byte(tt.raw))
		if count != tt.count || ok != tt.ok {
			t.Errorf("%s: count %d %v, want %d %v", tt.raw, count, ok, tt.count, tt.ok)
		}
	}
}

// TestSnapshotAheadIsTheSnapshot: read ahead, a snapshot decodes as
// loadSnapshot decodes it, with the same changed messages checked, and
// its count is read ahead only as a hint of the decoded one.
func TestSnapshotAheadIsTheSnapshot(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "src", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.PutRecord(store.SnapshotPrefix+"x", []byte(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := readSnapshotAhead(c); ok {
		t.Fatal("no snapshot yet, one read ahead")
	}
	if err := c.Put(changedKey("cur/a"), model.Message{ID: "cur/a"}); err != nil {
		t.Fatal(err)
	}
	ref, ok := c.Ref(changedKey("cur/a"))
	if !ok {
		t.Fatal("no ref of the changed message")
	}
	packed := func(refs ...store.RecordRef) string {
		var l changedList
		for _, r := range refs {
			l = append(l, changedMessage{ID: "cur/a", Ref: r})
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	refJSON, moved := packed(ref), packed(store.RecordRef{Off: 1, Len: 2, Written: 3})
	for _, tt := range []struct {
		name, raw string
		count     int // read ahead
		ok        bool
	}{
		{"as written", fmt.Sprintf(`{"v":%d,"digest":"d","count":4,"changed":%s}`, snapshotVersion, refJSON), 4, true},
		{"count last", fmt.Sprintf(`{"v":%d,"digest":"d","changed":%s,"count":5}`, snapshotVersion, refJSON), 5, true},
		{"two counts", fmt.Sprintf(`{"v":%d,"digest":"d","count":2,"count":6}`, snapshotVersion), 2, true},
		{"changed moved", fmt.Sprintf(`{"v":%d,"digest":"d","count":4,"changed":%s}`, snapshotVersion, moved), 4, false},
		{"changed twice", fmt.Sprintf(`{"v":%d,"digest":"d","count":4,"changed":%s}`, snapshotVersion, packed(ref, ref)), 4, false},
		{"changed as objects (version 1)", fmt.Sprintf(`{"v":%d,"digest":"d","count":4,"changed":[{"id":"cur/a","ref":%s}]}`, snapshotVersion, refJSON), 4, false},
		{"other version", `{"v":999,"digest":"d","count":4}`, 4, false},
		{"digest a number", `{"v":1,"count":3,"digest":5}`, 3, false},
		{"count last, other version", `{"v":999,"digest":"d","changed":[],"count":5}`, 0, false},
	} {
		if err := c.PutRecord(snapshotKey, []byte(tt.raw)); err != nil {
			t.Fatal(err)
		}
		ahead, found := readSnapshotAhead(c)
		if !found {
			if tt.count != 0 || tt.ok {
				t.Errorf("%s: nothing read ahead", tt.name)
			}
			continue
		}
		snap, changed, ok := ahead.wait()
		if ahead.count != tt.count || ok != tt.ok {
			t.Errorf("%s: count %d, ok %v; want %d, %v", tt.name, ahead.count, ok, tt.count, tt.ok)
		}
		loaded, lok := loadSnapshot(c)
		var want map[model.MessageID]replacement
		if lok {
			want, lok = loaded.replacements(c)
		}
		if ok != lok || (ok && (snap.Digest != loaded.Digest || snap.Count != loaded.Count || !maps.Equal(changed, want))) {
			t.Errorf("%s: read ahead %+v %v %v; loaded %+v %v %v", tt.name, snap, changed, ok, loaded, want, lok)
		}
	}
}

// TestChangedListPacksAndUnpacks: a packed list unpacks to itself, and
// one cut short, with a length past its end or a ref out of range, does
// not unpack.
func TestChangedListPacksAndUnpacks(t *testing.T) {
	in := changedList{
		{ID: "cur/1733000000.M1P2.mx1", Ref: store.RecordRef{Off: 1 << 40, Len: math.MaxUint32, Written: 1_800_000_000}},
		{ID: "", Ref: store.RecordRef{}},
		{ID: "new/x\x00y:2,S", Ref: store.RecordRef{Off: 127, Len: 128, Written: 1}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out changedList
	if err := json.Unmarshal(b, &out); err != nil || !slices.Equal(out, in) {
		t.Fatalf("unpacked %v, %v; want %v", out, err, in)
	}
	if _, err := json.Marshal(changedList{{ID: "x", Ref: store.RecordRef{Off: -1}}}); err == nil {
		t.Fatal("a negative ref packed")
	}
	var packed []byte
	if err := json.Unmarshal(b, &packed); err != nil {
		t.Fatal(err)
	}
	for cut := 1; cut < len(packed); cut++ {
		short, _ := json.Marshal(packed[:cut])
		var l changedList
		if err := json.Unmarshal(short, &l); err == nil && len(l) == len(in) {
			t.Fatalf("cut at %d of %d: unpacked whole", cut, len(packed))
		}
	}
	for _, bad := range [][]byte{
		{5, 'a', 'b'},  // an ID past the end
		{1, 'a', 0xff}, // a uvarint cut short
		{1, 'a', 0, 0x80, 0x80, 0x80, 0x80, 0x80, 1, 0}, // a length past 32 bits
		binary.AppendUvarint([]byte{1, 'a'}, math.MaxUint64),
	} {
		raw, _ := json.Marshal(bad)
		var l changedList
		if err := json.Unmarshal(raw, &l); err == nil {
			t.Errorf("% x unpacked to %v", bad, l)
		}
	}
	var l changedList
	if err := json.Unmarshal([]byte(`[{"id":"x"}]`), &l); err == nil {
		t.Error("a list of objects unpacked")
	}
}

// TestSnapshotMarshalledAsJSONWould: a snapshot as marshalSnapshot
// spells it is one JSON object, decodes as json.Marshal's spelling of it
// decodes, and has its count read ahead.
func TestSnapshotMarshalledAsJSONWould(t *testing.T) {
	for i, s := range []scanSnapshot{
		{Version: snapshotVersion, Digest: "d", Count: 0},
		{Version: snapshotVersion, Digest: "d", Count: 3, Changed: changedList{}},
		{Version: snapshotVersion, Digest: "ab", Count: 1 << 20, MarksSum: "m",
			Changed: changedList{
				{ID: "cur/1733000000.M1P2.mx1", Ref: store.RecordRef{Off: 1 << 40, Len: math.MaxUint32, Written: 1_800_000_000}},
				{ID: "new/\"x\"\x00<y>:2,S", Ref: store.RecordRef{Off: 127, Len: 128, Written: 1}},
			},
			Uncached: []model.MessageID{"cur/\u2028\"}", "new/b"}},
	} {
		b, err := marshalSnapshot(s)
		if err != nil || !json.Valid(b) {
			t.Fatalf("snapshot %d: %s, %v", i, b, err)
		}
		if n, err := snapshotRecordLen(s); err != nil || n != len(b) {
			t.Fatalf("snapshot %d: %d bytes said ahead, %d written (%v)", i, n, len(b), err)
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeSnapshot(b)
		exp, ok2 := decodeSnapshot(want)
		if !ok || !ok2 || fmt.Sprint(got) != fmt.Sprint(exp) || len(got.Changed) != len(s.Changed) {
			t.Fatalf("snapshot %d decodes as %+v, %v; json.Marshal's as %+v, %v", i, got, ok, exp, ok2)
		}
		if n, ok := snapshotCount(b); !ok || n != s.Count {
			t.Fatalf("snapshot %d: count read ahead %d %v, want %d", i, n, ok, s.Count)
		}
	}
	if _, err := marshalSnapshot(scanSnapshot{Changed: changedList{{ID: "x", Ref: store.RecordRef{Off: -1}}}}); err == nil {
		t.Fatal("a negative ref packed")
	}
}

// TestUncachedDatesOneEach: a snapshot gives its uncached messages'
// dates only one for each, each named once; one recorded before they
// were kept gives none, and is not replayed.
func TestUncachedDatesOneEach(t *testing.T) {
	for _, tt := range []struct {
		ids   []model.MessageID
		dates []string
		ok    bool
	}{
		{nil, nil, true},
		{[]model.MessageID{"a", "b"}, []string{"", "2026-12-07T00:00:00Z"}, true},
		{[]model.MessageID{"a"}, nil, false},
		{[]model.MessageID{"a"}, []string{"", ""}, false},
		{[]model.MessageID{"a", "a"}, []string{"", ""}, false},
	} {
		got, ok := scanSnapshot{Uncached: tt.ids, UncachedDates: tt.dates}.uncachedDates()
		if ok != tt.ok || ok && len(got) != len(tt.ids) {
			t.Errorf("%v %q: %v %v, want ok %v", tt.ids, tt.dates, got, ok, tt.ok)
		}
	}
}
