package app

import (
	"testing"

	"mxaudit/model"
	"mxaudit/model/store"
)

// TestSpillDecodesEncodedMessages (found in review): a message still
// encoded (only its head decoded, as a warm ScanEncoded gives it) must be
// kept whole: before, Get returned it without attachments or verdict, and
// it no longer needed the encrypted-archive exception.
func TestSpillDecodesEncodedMessages(t *testing.T) {
	c, err := store.OpenCache(t.TempDir(), "dir:/q", "fp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := model.Message{ID: "zip.eml", Subject: "s", SHA256: "ab",
		Verdict:     model.Verdict{Attachment: model.AttachmentEncrypted, Reasons: []string{"encrypted"}},
		Attachments: []model.Attachment{{Filename: "a.zip"}}}
	if err := c.Put("k1", m); err != nil {
		t.Fatal(err)
	}
	enc, ok := c.GetEncoded("k1")
	if !ok || !enc.IsEncoded() {
		t.Fatalf("not encoded: %v", ok)
	}
	s := NewSpill(t.TempDir())
	defer s.Close()
	s.Put(enc)
	got, err := s.Get("zip.eml")
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsEncrypted() || len(got.Attachments) != 1 {
		t.Errorf("kept copy lost its body: encrypted=%v attachments=%d required=%v",
			got.IsEncrypted(), len(got.Attachments), model.RequiredKinds(&got))
	}
}
