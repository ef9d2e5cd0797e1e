package model

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"unsafe"
)

// TestRowOfIsNewRowWithItsSum: a row RowOf makes is NewRow's row of the
// same message but for the sum it is marked with, however many slabs
// the rows fill; NewRow's rows carry none.
func TestRowOfIsNewRowWithItsSum(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(3, 4)), 2*rowSlab+7)
	b := NewRowBuilder()
	rows := make([]*Row, len(msgs))
	for i := range msgs {
		rows[i] = b.RowOf(&msgs[i], SumContent([]byte(msgs[i].ID)))
	}
	for i := range msgs {
		want := NewRow(&msgs[i])
		if !want.Content().IsZero() {
			t.Fatalf("NewRow's row %d has a sum", i)
		}
		if got := rows[i].Content(); got != SumContent([]byte(msgs[i].ID)) || got.IsZero() {
			t.Fatalf("row %d: sum %x", i, got)
		}
		got := *rows[i]
		got.content = ContentSum{}
		if !reflect.DeepEqual(encodeOne(&got), encodeOne(&want)) {
			t.Fatalf("row %d is not NewRow's", i)
		}
	}
}

func encodeOne(r *Row) []byte { return new(RowEncoder).Append(nil, r) }

// TestRowSumOfAnotherLengthDoesNotDecode: the sum is 16 bytes or none;
// a field of any other length is not a row an encoder wrote.
func TestRowSumOfAnotherLengthDoesNotDecode(t *testing.T) {
	m := Message{ID: "a", Subject: "s"}
	r := NewRow(&m)
	b := encodeOne(&r)
	if b[len(b)-1] != 0 {
		t.Fatalf("a row without a sum ends in %d, want an empty field", b[len(b)-1])
	}
	for _, n := range []int{1, 15, 17, 32} {
		bad := append(binary.AppendUvarint(append([]byte(nil), b[:len(b)-1]...), uint64(n)), make([]byte, n)...)
		var d RowDecoder
		if _, _, err := d.Decode(string(bad)); !errors.Is(err, errBadRow) {
			t.Errorf("a sum of %d bytes: %v, want errBadRow", n, err)
		}
	}
}

// TestAdoptedRowsHoldNothingOfTheirs: an adopted row is the row it was
// given, sum and all, with its text in the builder's arena, not in the
// bytes it came from, which may be written over.
func TestAdoptedRowsHoldNothingOfTheirs(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(5, 6)), rowSlab+3)
	var enc RowEncoder
	var b []byte
	for i := range msgs {
		r := NewRowOf(&msgs[i], SumContent([]byte(msgs[i].ID)))
		b = enc.Append(b, &r)
	}
	var d RowDecoder
	data := unsafe.String(unsafe.SliceData(b), len(b)) // as a row snapshot's reader decodes its block
	builder := NewRowBuilder()
	var adopted []*Row
	for range msgs {
		r, rest, err := d.Decode(data) // texts point into data
		if err != nil {
			t.Fatal(err)
		}
		adopted, data = append(adopted, builder.Adopt(&r)), rest
	}
	clear(b) // the block's bytes, read over by the next
	for i := range msgs {
		want := NewRowOf(&msgs[i], SumContent([]byte(msgs[i].ID)))
		if !reflect.DeepEqual(encodeOne(adopted[i]), encodeOne(&want)) || adopted[i].Content() != want.Content() {
			t.Fatalf("adopted row %d is not its row", i)
		}
	}
}
