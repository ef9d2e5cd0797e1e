package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// madeRows is, by RowCodecVersion, the SHA-256 of the rows this version
// makes of rowsCorpus, encoded (TestRowsMadeAsRecorded).
var madeRows = map[int]string{
	3: "fa1aa4e2fbc3799fd6abc08cd637e107a5c34b9cd3f0a38ec22bf61cd71ecbe6",
}

// rowsCorpus are messages in which every field a row keeps varies
// (rowMessages), and a few a random pick seldom makes: a text past what
// 16-bit places reach, dates out of nanoseconds' reach, a zero date,
// characters that lower-case into others. Each is as a console makes its
// row of it: encoded as the cache encodes it and decoded as a cached
// message is (Materialize), with the sum of its encoding.
func rowsCorpus(t *testing.T) []Row {
	msgs := rowMessages(rand.New(rand.NewPCG(37, 38)), 1500)
	long := msg("long", withFrom("Long <long@x.example>"))
	for i := range 3000 {
		long.Attachments = append(long.Attachments, Attachment{Filename: strings.Repeat("長い名前", 3) + string(rune('a'+i%26)) + ".PDF"})
	}
	far := msg("far", withFrom("Far <far@x.example>"))
	far.Date = time.Date(3001, 2, 3, 4, 5, 6, 7, time.UTC)
	old := msg("old", withFrom("Old <old@x.example>"))
	old.Date = time.Date(1600, 1, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	undated := msg("undated", withFrom("K\u212Aelvin İstanbul ΣΑΣ <k@x.example>"))
	undated.Date, undated.Subject = time.Time{}, "ǅungla ẞtraße ＦＵＬＬ"
	msgs = append(msgs, long, far, old, undated)
	rows := make([]Row, len(msgs))
	for i := range msgs {
		b, err := json.Marshal(&msgs[i])
		if err != nil {
			t.Fatal(err)
		}
		var m Message
		if err := jsonv1.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		rows[i] = NewRowOf(&m, SumContent(b))
	}
	return rows
}

// TestRowsMadeAsRecorded: what this version makes of rowsCorpus is what
// it made when it was named. A console lists the rows it kept from its
// last start for every message whose analysis did not change, whichever
// build kept them, as long as RowCodecVersion (and the libraries: ui/app's
// rowMaker) is the same: a change to what NewRow makes of a message, or
// to how the codec writes it, must come with a new RowCodecVersion, or
// an upgraded console would list rows the old one made.
func TestRowsMadeAsRecorded(t *testing.T) {
	rows := rowsCorpus(t)
	wide, dated := 0, 0
	for i := range rows {
		if rows[i].wide != nil {
			wide++
		}
		if rows[i].flags&rowHasDate != 0 {
			dated++
		}
	}
	if wide == 0 || dated == 0 || dated == len(rows) {
		t.Fatalf("the corpus lacks a kind of row: %d of %d with wide places, %d dated", wide, len(rows), dated)
	}
	var enc RowEncoder
	h := sha256.New()
	for i := range rows {
		h.Write(enc.Append(nil, &rows[i]))
	}
	got := hex.EncodeToString(h.Sum(nil))
	want, ok := madeRows[RowCodecVersion]
	if !ok || got != want {
		t.Fatalf("rows made at RowCodecVersion %d sum to %s, recorded %q.\n"+
			"If NewRow, what it calls, the decoding of a message or the row codec changed, "+
			"bump RowCodecVersion and record this sum under the new version; "+
			"if only the corpus did (rowMessages, randomMessages), record it under this one.",
			RowCodecVersion, got, want)
	}
}
