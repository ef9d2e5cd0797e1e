package model

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// TestRowCodecRoundTrip encodes the rows of random messages in which
// every field varies, one after the other as a file holds them, and
// decodes them: each must be its message's row with no exception, field
// for field, and rows with the same verdicts must share them.
func TestRowCodecRoundTrip(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(7, 9)), 500)
	msgs = append(msgs, Message{ID: "empty"}, Message{ID: "old", Date: time.Date(1601, 1, 1, 0, 0, 0, 5, time.UTC)})
	var b []byte
	var enc RowEncoder
	want := make([]Row, len(msgs))
	for i := range msgs {
		r := NewRow(&msgs[i])
		if i%2 == 1 { // half made with their message's sum, half without
			r.content = SumContent([]byte(msgs[i].ID))
		}
		b = enc.Append(b, &r)
		want[i] = r.WithException(nil)
	}
	var d RowDecoder
	data := string(b)
	for i := range want {
		got, rest, err := d.Decode(data)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, got, want[i])
		}
		if got.Date() != want[i].Date() || got.ID() != msgs[i].ID {
			t.Fatalf("row %d: date %v, ID %q", i, got.Date(), got.ID())
		}
		data = rest
	}
	if data != "" {
		t.Fatalf("%d bytes left over", len(data))
	}
	if len(d.verdicts) == 0 || len(d.verdicts) >= len(msgs) {
		t.Errorf("%d shared verdicts for %d rows", len(d.verdicts), len(msgs))
	}
}

// TestRowDecodeBlockKeepsNothingOfItsBytes: rows that DecodeBlock
// decoded are their messages' rows after the bytes they came from are
// written over, as a row snapshot's reader reuses its block; their texts
// are one allocation of exactly their length; bytes after the rows are
// an error.
func TestRowDecodeBlockKeepsNothingOfItsBytes(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(11, 12)), 300)
	msgs = append(msgs, Message{ID: "empty"})
	var b []byte
	var enc RowEncoder
	want := make([]Row, len(msgs))
	n := 0
	for i := range msgs {
		r := NewRow(&msgs[i])
		b = enc.Append(b, &r)
		want[i] = r.WithException(nil)
		n += len(r.text)
	}
	got := make([]Row, len(msgs))
	if err := new(RowDecoder).DecodeBlock(string(b), got); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0xff
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// As numbers, not a pointer past the texts' end, which the race
	// detector's pointer checks refuse.
	start := uintptr(unsafe.Pointer(unsafe.StringData(got[0].text)))
	last := got[len(got)-1].text
	if end := uintptr(unsafe.Pointer(unsafe.StringData(last))) + uintptr(len(last)); end-start != uintptr(n) {
		t.Errorf("the texts take %d bytes, want %d in one piece", end-start, n)
	}
	r := NewRow(&msgs[0])
	one := string(enc.Append(nil, &r))
	if err := new(RowDecoder).DecodeBlock(one+"x", make([]Row, 1)); err == nil {
		t.Error("a byte after the rows decoded")
	}
	if err := new(RowDecoder).DecodeBlock(one, make([]Row, 2)); err == nil {
		t.Error("fewer rows than asked for decoded")
	}
}

// TestRowCodecRejectsDamage decodes every cut of an encoded row, and the
// row with single bytes changed: a cut must be an error, and a change
// either an error or a row whose every place lies within its text (the
// accessors and the filter then run without a panic).
func TestRowCodecRejectsDamage(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(3, 4)), 20)
	for i := range msgs {
		r := NewRow(&msgs[i])
		enc := string(new(RowEncoder).Append(nil, &r))
		for n := range len(enc) {
			if _, _, err := new(RowDecoder).Decode(enc[:n]); err == nil {
				t.Fatalf("message %d: a cut at %d of %d bytes decoded", i, n, len(enc))
			}
		}
		rnd := rand.New(rand.NewPCG(uint64(i), 1))
		for range 300 {
			b := []byte(enc)
			b[rnd.IntN(len(b))] ^= byte(1 + rnd.IntN(255))
			got, _, err := new(RowDecoder).Decode(string(b))
			if err != nil {
				continue
			}
			if p := got.places(); p.check(len(got.text)) != nil {
				t.Fatal(p.check(len(got.text)))
			}
			for _, text := range []string{"corp", "from:bank", "msgid:abc", "risk:macro to:ops", "domain:x ip:203.0.113.0/24"} {
				q, err := ParseQuery(text)
				if err != nil {
					t.Fatal(err)
				}
				Filter{Text: text}.MatchRow(&got, text, nil)
				Filter{Text: text}.MatchRow(&got, text, &q)
			}
			_ = got.From() + got.Subject() + got.Partner() + got.IP() + got.ReadError()
		}
	}
}

// TestRowCodecRefusesDatesPastTime decodes a row whose date is the
// latest a time.Time holds, and refuses one a second later and the
// latest int64: time.Unix wraps those to before year 1, so that the
// sort's prefix put them first and its comparison last (a review found
// a forged snapshot sorting out of order so). A row marked without a
// date that holds one is decoded without it, for the same reason.
func TestRowCodecRefusesDatesPastTime(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(5, 6)), 1)
	for _, tt := range []struct {
		sec int64
		ok  bool
	}{{maxRowUnix, true}, {maxRowUnix + 1, false}, {math.MaxInt64, false}, {math.MinInt64, true}} {
		r := NewRow(&msgs[0])
		r.dateSec = tt.sec
		got, _, err := new(RowDecoder).Decode(string(new(RowEncoder).Append(nil, &r)))
		if (err == nil) != tt.ok {
			t.Errorf("a row dated %d s: error %v, want one: %v", tt.sec, err, !tt.ok)
		}
		if err == nil && got.Date().Unix() != tt.sec {
			t.Errorf("a row dated %d s: decoded as %d", tt.sec, got.Date().Unix())
		}
	}
	// A row marked without a date that holds one anyway (a review's
	// forged snapshot) decodes without it: it sorted by both.
	r := NewRow(&msgs[0])
	r.flags &^= rowHasDate
	got, _, err := new(RowDecoder).Decode(string(new(RowEncoder).Append(nil, &r)))
	if err != nil || got.dateSec != zeroDateSec || got.dateNsec != 0 || !got.Date().IsZero() {
		t.Errorf("a row without a date but holding one: %v, decoded as %d s %d ns", err, got.dateSec, got.dateNsec)
	}
}

// encodedRows is the encoding of the rows of n random messages, one
// block of a row snapshot, for the decoding benchmarks.
func encodedRows(n int) string {
	msgs := rowMessages(rand.New(rand.NewPCG(1, 2)), n)
	var buf []byte
	var enc RowEncoder
	for i := range msgs {
		r := NewRow(&msgs[i])
		buf = enc.Append(buf, &r)
	}
	return string(buf)
}

// BenchmarkRowDecode measures decoding the rows of a row snapshot.
func BenchmarkRowDecode(b *testing.B) {
	const n = 1000
	data := encodedRows(n)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var d RowDecoder
		rest := data
		for rest != "" {
			var err error
			if _, rest, err = d.Decode(rest); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
}

// BenchmarkRowDecodeBlock measures decoding a row snapshot's block of
// 1,000 rows as its reader does, the texts copied out.
func BenchmarkRowDecodeBlock(b *testing.B) {
	data := encodedRows(1000)
	rows := make([]Row, 1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := new(RowDecoder).DecodeBlock(data, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}

// rowRanks are a row's ranks in the verdict columns, for
// TestRowRanksDerived.
type rowRanks struct {
	severity, att, spf, dkim, dmarc, policy, exc int8
}

func ranksOf(r *Row) rowRanks {
	return rowRanks{severity: r.severityRank(), att: r.attRank(), spf: r.spfRank(), dkim: r.dkimRank(),
		dmarc: r.dmarcRank(), policy: r.policyRank(), exc: r.excRank()}
}

// TestRowRanksDerived: the ranks a row derives from its verdicts, flags
// and exception (newRow's, a decoded row's, one given another
// exception) are those the message's own predicates give, for messages
// in which every verdict, flag, error and exception varies.
func TestRowRanksDerived(t *testing.T) {
	msgs := rowMessages(rand.New(rand.NewPCG(5, 6)), 2000)
	msgs = append(msgs, Message{ID: "empty"})
	covers := []*ExceptionMatch{nil, {ID: 1}, {ID: 2, Missing: []ExceptionKind{KindDMARCFail}}}
	for i := range msgs {
		m := &msgs[i]
		m.Exception = covers[i%len(covers)]
		d, aligned := m.DKIMSummary()
		dm, p := m.DMARCResult()
		want := rowRanks{
			severity: int8(m.Severity()),
			att:      int8(m.Verdict.Attachment.Rank()),
			spf:      int8(authRank(m.SPFResult())),
			dkim:     int8(authRank(d) * 2),
			dmarc:    int8(authRank(dm)),
			policy:   int8(policyRank(p)),
			exc:      int8(m.exceptionRank()),
		}
		if !aligned && d != "" {
			want.dkim++
		}
		r := NewRow(m)
		if got := ranksOf(&r); got != want {
			t.Fatalf("%s: derived %+v, the message's %+v", m.ID, got, want)
		}
		decoded, _, err := new(RowDecoder).Decode(string(new(RowEncoder).Append(nil, &r)))
		if err != nil {
			t.Fatal(err)
		}
		decoded = decoded.WithException(m.Exception)
		if got := ranksOf(&decoded); got != want {
			t.Fatalf("%s decoded: derived %+v, the message's %+v", m.ID, got, want)
		}
	}
}

// TestMinEncodedRowLen: the smallest row a stream can hold, once its
// verdict set came before (every number zero, so one byte), takes
// exactly MinEncodedRowLen bytes and decodes; a byte less does not. The
// rows of real messages all take more.
func TestMinEncodedRowLen(t *testing.T) {
	var d RowDecoder
	first := NewRow(&Message{ID: "first"})
	if _, _, err := d.Decode(string(new(RowEncoder).Append(nil, &first))); err != nil {
		t.Fatal(err)
	}
	zeros := string(make([]byte, MinEncodedRowLen))
	if _, rest, err := d.Decode(zeros); err != nil || rest != "" {
		t.Fatalf("%d zero bytes: %v, %d left over", len(zeros), err, len(rest))
	}
	if _, _, err := d.Decode(zeros[1:]); err == nil {
		t.Fatalf("%d zero bytes decoded as a row", len(zeros)-1)
	}
	for i, m := range append(rowMessages(rand.New(rand.NewPCG(5, 6)), 50), Message{}) {
		r := NewRow(&m)
		var enc RowEncoder
		enc.Append(nil, &first) // the verdicts of the empty message come before
		if n := len(enc.Append(nil, &r)); n < MinEncodedRowLen {
			t.Errorf("message %d: a row of %d bytes, under MinEncodedRowLen", i, n)
		}
	}
}
