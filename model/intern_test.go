package model

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// filled returns a message with every field, at every depth, set to a
// non-zero value made from tag: a field added later is filled too, so a
// table that dropped or changed it fails TestTableCopiesAreEqual. Fields
// whose name is in repeated get the same text in every message, whatever
// the tag, the way domains and reasons repeat in a quarantine.
func filled(tag string, repeated map[string]bool) Message {
	var m Message
	fill(reflect.ValueOf(&m).Elem(), "Message", tag, repeated, 0)
	return m
}

var archiveType = reflect.TypeFor[*Archive]()

// fill sets v and everything under it to non-zero values. Archives nest
// in archives; depth stops the recursion.
func fill(v reflect.Value, name, tag string, repeated map[string]bool, depth int) {
	switch v.Kind() {
	case reflect.String:
		text := name + " " + tag
		if repeated[name] {
			text = name + " repeated"
		}
		// Built at run time, as a scan's strings are, so that equal
		// strings start as distinct copies.
		v.SetString(strings.Clone(text))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Uint8: // Message.Encoded's bytes
		v.SetUint(uint64(len(name)))
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(time.Second))
			return
		}
		v.SetInt(int64(len(name) + len(tag)))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), v.Type().Field(i).Name, tag, repeated, depth)
		}
	case reflect.Pointer:
		if v.Type() == archiveType {
			if depth > 1 {
				return
			}
			depth++
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), name, tag, repeated, depth)
	case reflect.Slice:
		if depth > 1 && v.Type().Elem() == archiveType {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), name, fmt.Sprint(tag, ".", i), repeated, depth)
		}
	case reflect.Interface: // Message.Encoded's From
		if v.Type() != reflect.TypeFor[RecordFile]() {
			panic("fill: no value for " + name + " of kind " + v.Kind().String())
		}
		v.Set(reflect.ValueOf(namedRecordFile(name + " " + tag)))
	case reflect.Array: // Message.Encoded's JSONSum
		for i := range v.Len() {
			fill(v.Index(i), name, tag, repeated, depth)
		}
	default:
		panic("fill: no value for " + name + " of kind " + v.Kind().String())
	}
}

// namedRecordFile is a RecordFile for fixtures: it names a file it
// never opens.
type namedRecordFile string

func (namedRecordFile) Reopen() (ReaderAtCloser, error) { return nil, errors.New("a fixture's file") }

// TestTableRowsAreEqual checks that the table's row of a message, its
// strings interned, is equal field by field to the message's plain row
// (NewRow), and that appending leaves the message it was given as it
// was.
func TestTableRowsAreEqual(t *testing.T) {
	repeated := map[string]bool{"FromDomain": true, "Reason": true, "Domain": true, "Selector": true, "Record": true, "ContentType": true, "Reasons": true, "To": true}
	tests := []struct {
		name string
		msgs []Message
	}{
		{"every field set", []Message{filled("a", repeated), filled("b", repeated)}},
		{"zero message", []Message{{}, {ID: "z"}}},
		{"empty, not nil, slices", []Message{{ID: "e", To: []string{}, Verdict: Verdict{Reasons: []string{}}, Attachments: []Attachment{}, Auth: &Auth{DKIM: []DKIMResult{}}}}},
		{"return path is the From address", []Message{{ID: "r", FromAddr: strings.Clone("a@x.example"), ReturnPath: strings.Clone("a@x.example")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := make([]Message, len(tt.msgs))
			for i, m := range tt.msgs {
				// The fixtures must not share with the table: a
				// table that wrote through its input would
				// otherwise compare equal to itself.
				want[i] = filledCopy(m)
			}
			tab := NewTable()
			tab.Append(tt.msgs...)
			for i := range want {
				got := tab.RowByID(want[i].ID)
				if plain := NewRow(&want[i]); got == nil || !reflect.DeepEqual(*got, plain) {
					t.Errorf("table's row of %q differs:\n got %+v\nwant %+v", want[i].ID, got, plain)
				}
				if !reflect.DeepEqual(tt.msgs[i], want[i]) {
					t.Errorf("the table changed the message %q it was given", want[i].ID)
				}
			}
		})
	}
}

// TestFilledLeavesNoZeroField checks the fixture TestTableCopiesAreEqual
// relies on: were any field of it zero, a table that dropped that field
// would go unnoticed.
func TestFilledLeavesNoZeroField(t *testing.T) {
	if zero := zeroFields(reflect.ValueOf(filled("a", nil)), "Message"); len(zero) > 0 {
		t.Errorf("filled leaves zero fields: %v", zero)
	}
}

// zeroFields returns the paths of the zero-valued fields under v.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			break
		}
		var zero []string
		for i := range v.NumField() {
			zero = append(zero, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
		return zero
	case reflect.Pointer:
		if !v.IsNil() {
			return zeroFields(v.Elem(), path)
		}
	case reflect.Slice:
		var zero []string
		for i := range v.Len() {
			zero = append(zero, zeroFields(v.Index(i), fmt.Sprint(path, "[", i, "]"))...)
		}
		if v.Len() > 0 {
			return zero
		}
	}
	if v.IsZero() {
		// fill stops at archives in archives in archives.
		if v.Type() == archiveType || v.Type() == reflect.TypeFor[[]*Archive]() {
			if strings.Count(path, "Archive")+strings.Count(path, "Others") > 2 {
				return nil
			}
		}
		return []string{path}
	}
	return nil
}

// TestRowHoldsItsStringsInOneText checks that every string of a row
// lies in the row's one text (one pointer a row for the collector to
// follow), and that the search text's lower-cased copies are reused
// rather than held twice.
func TestRowHoldsItsStringsInOneText(t *testing.T) {
	repeated := map[string]bool{"FromDomain": true, "IP": true, "Subject": true}
	tab := NewTable()
	tab.Append(filled("a", repeated), filled("b", repeated))
	for _, id := range []MessageID{"ID a", "ID b"} {
		r := tab.RowByID(id)
		for f := range numRowFields {
			s := r.field(f)
			if s == "" {
				continue
			}
			start := uintptr(unsafe.Pointer(unsafe.StringData(r.text)))
			at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
			if at < start || at+uintptr(len(s)) > start+uintptr(len(r.text)) {
				t.Errorf("%s: field %d (%q) lies outside the row's text", id, f, s)
			}
		}
		if k := r.fromKey(); k != "" && !strings.Contains(r.hay(), k) {
			t.Errorf("%s: the sort key %q is not in the search text", id, k)
		}
		if r.spanOf(fieldFromKey).end > r.spanOf(fieldHay).end {
			t.Errorf("%s: the From sort key was copied, though the search text holds it", id)
		}
	}
}

// filledCopy returns a deep copy of m, sharing no memory with it.
func filledCopy(m Message) Message {
	var out Message
	deepCopy(reflect.ValueOf(&out).Elem(), reflect.ValueOf(m))
	return out
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.String:
		dst.SetString(strings.Clone(src.String()))
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(src.Type().Elem()))
			deepCopy(dst.Elem(), src.Elem())
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
			for i := range src.Len() {
				deepCopy(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Struct:
		if src.Type() == reflect.TypeFor[time.Time]() {
			dst.Set(src)
			return
		}
		for i := range src.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}

// TestOnlyBulkAppendsShareTextChunks checks that rows appended a few at
// a time (the watch's arrivals) get texts of their own, and only a
// bulk append (a scan's batch) places its rows' texts in the table's
// shared chunks: arrivals over days must not keep each other's texts
// alive once they have left.
func TestOnlyBulkAppendsShareTextChunks(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(20, 1)), 2*arenaBatch)
	tab := NewTable()
	for i := range 10 {
		tab.Append(msgs[i])
	}
	if tab.intern.texts.chunk != nil {
		t.Fatal("single arrivals took room in the shared chunks")
	}
	tab.Append(msgs[arenaBatch:]...)
	if tab.intern.texts.chunk == nil {
		t.Fatal("a bulk append did not use the shared chunks")
	}
	a, b := tab.RowByID(msgs[arenaBatch].ID), tab.RowByID(msgs[arenaBatch+1].ID)
	if unsafe.StringData(b.text) != (*byte)(unsafe.Add(unsafe.Pointer(unsafe.StringData(a.text)), len(a.text))) {
		t.Fatal("two rows of one bulk append are not side by side in a chunk")
	}

	rb := NewRowBuilder()
	rb.Rows(msgs[:1])
	if rb.in.texts.chunk != nil {
		t.Fatal("a builder's single row took room in the shared chunks")
	}
	rb.Rows(msgs[:arenaBatch])
	if rb.in.texts.chunk == nil {
		t.Fatal("a builder's bulk rows did not use the shared chunks")
	}
}
