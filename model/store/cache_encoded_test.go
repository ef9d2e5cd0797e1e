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
