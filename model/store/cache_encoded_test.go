package store

import (
	"reflect"
	"testing"
	"time"

	"mxaudit/model"
)

// TestGetEncodedHead: GetEncoded decodes exactly the head Get decodes,
// keeps the whole record, and says whether the message has files and
// may hold an encrypted archive.
func TestGetEncodedHead(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	head := model.Message{ID: "cur/1", MessageID: "<a@b>", From: `"x\",\"attachments\":1" <a@example.jp>`,
		FromAddr: "a@example.jp", FromDomain: "example.jp", To: []string{"b@example.jp"},
		Subject: `"attachments":null`, Date: time.Date(2026, 11, 16, 9, 0, 0, 0, time.FixedZone("", 9*3600)),
		Size: 42, SHA256: "ab", InReplyTo: "<z@b>", References: []string{"<y@b>"}}
	zip := head
	zip.Attachments = []model.Attachment{{Filename: "a.zip", Archive: &model.Archive{Format: "zip", Encrypted: true}}}
	plain := head
	plain.Attachments = []model.Attachment{{Filename: "a.pdf"}}
	plain.Verdict.Reasons = []string{`"encrypted":true`, `"attachment":"encrypted"`} // a string cannot imitate a field (its quotes are escaped)
	// The verdict alone says encrypted (IsEncrypted reads it too), with
	// no archive marked: PPAP must still see the message decoded.
	byVerdict := head
	byVerdict.Attachments = []model.Attachment{{Filename: "a.zip"}}
	byVerdict.Verdict.Attachment = model.AttachmentEncrypted
	for _, tc := range []struct {
		name            string
		m               model.Message
		files, mayCrypt bool
	}{
		{"no-files", head, false, false},
		{"encrypted-zip", zip, true, true},
		{"plain-file", plain, true, false},
		{"encrypted-by-verdict", byVerdict, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := c.Put(tc.name, tc.m); err != nil {
				t.Fatal(err)
			}
			got, ok := c.GetEncoded(tc.name)
			if !ok || got.Encoded == nil {
				t.Fatalf("GetEncoded: %v, encoded %v", ok, got.Encoded != nil)
			}
			if tc.mayCrypt != tc.m.IsEncrypted() {
				t.Fatalf("test case: IsEncrypted %v, mayCrypt %v", tc.m.IsEncrypted(), tc.mayCrypt)
			}
			if got.Encoded.HasFiles != tc.files || got.Encoded.MayHaveEncryptedArchive != tc.mayCrypt {
				t.Errorf("files %v, may be encrypted %v; want %v, %v", got.Encoded.HasFiles, got.Encoded.MayHaveEncryptedArchive, tc.files, tc.mayCrypt)
			}
			want, _ := c.Get(tc.name)
			wantHead := want
			wantHead.Attachments, wantHead.Verdict = nil, model.Verdict{}
			gotHead := got
			gotHead.Encoded = nil
			if !reflect.DeepEqual(gotHead, wantHead) {
				t.Errorf("head\n%+v, want\n%+v", gotHead, wantHead)
			}
			if err := got.Materialize(); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("materialized %+v (%v), want %+v", got, err, want)
			}
		})
	}
}

// TestGetEncodedAllocations: reading a cached message with its head
// decoded makes four objects — the record, the head's strings, the
// encoded form and the list of recipients — as a warm scan reads every
// message so: the message itself stays off the heap, and the head's
// strings are cut from one copy.
func TestGetEncodedAllocations(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	m := model.Message{ID: "cur/1", MessageID: "<a@b>", From: "佐藤 <a@example.jp>", FromAddr: "a@example.jp",
		FromDomain: "example.jp", ReturnPath: "a@example.jp", To: []string{"b@example.jp"}, Subject: "議事録",
		Date: time.Date(2026, 11, 16, 9, 0, 0, 0, time.FixedZone("", 9*3600)), Size: 42, SHA256: "ab",
		PasswordsInText: model.PasswordsNone, Attachments: []model.Attachment{{Filename: "a.pdf"}}}
	if err := c.Put("k", m); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.GetEncoded("k"); !ok || !got.IsEncoded() || got.Subject != m.Subject {
		t.Fatalf("GetEncoded = %+v, %v", got, ok)
	}
	if n := testing.AllocsPerRun(200, func() { c.GetEncoded("k") }); n > 4 {
		t.Errorf("GetEncoded made %v objects, want at most 4", n)
	}
}

// TestEncodeIsWhatPutCaches: Encode gives the bytes Put writes for a
// message, with the flags GetEncoded reads from them; PutEncoded stores
// them as they are, and a message so stored reads back as one Put
// stored. Exception is left out, as Put leaves it out.
func TestEncodeIsWhatPutCaches(t *testing.T) {
	c := openTestCache(t, t.TempDir())
	for i := range 8 {
		m := sampleMessage(i)
		m.Exception = &model.ExceptionMatch{ID: 3, Scope: model.ScopeDomain, Value: "example.jp"}
		encoded, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		enc := encoded.Message()
		if err := c.Put("put", m); err != nil {
			t.Fatal(err)
		}
		if err := c.PutEncoded("encoded", encoded); err != nil {
			t.Fatal(err)
		}
		put, ok1 := c.GetEncoded("put")
		got, ok2 := c.GetEncoded("encoded")
		if !ok1 || !ok2 {
			t.Fatalf("sample %d: not cached (%v, %v)", i, ok1, ok2)
		}
		if !reflect.DeepEqual(*put.Encoded, *enc.Encoded) || !reflect.DeepEqual(*got.Encoded, *enc.Encoded) {
			t.Fatalf("sample %d: Encode gave %+v\nPut cached %+v\nPutEncoded cached %+v", i, enc.Encoded, put.Encoded, got.Encoded)
		}
		if enc.Exception != nil || enc.Subject != m.Subject || !reflect.DeepEqual(enc.Attachments, m.Attachments) {
			t.Fatalf("sample %d: Encode changed the message's fields: %+v", i, enc)
		}
		whole, _ := c.Get("encoded")
		want, _ := c.Get("put")
		if !reflect.DeepEqual(whole, want) {
			t.Fatalf("sample %d: stored encoded, read back %+v, want %+v", i, whole, want)
		}
	}
	if err := c.PutEncoded("k", EncodedMessage{}); err == nil {
		t.Fatal("PutEncoded stored a message with no encoding")
	}
}
