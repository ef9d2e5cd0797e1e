package app

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/emersion/go-message"

	"mxaudit/analysis/mimetext"
)

// ExtractPart returns the bytes of the attachment at index (counted as
// Body.Attachments lists them) of the raw message r, with their transfer
// encoding undone, as a mail client saves them.
func ExtractPart(r io.Reader, index int) ([]byte, error) {
	e, err := message.Read(r)
	if e == nil {
		return nil, err
	}
	n := 0
	var found []byte
	var visit func(e *message.Entity) (bool, error)
	visit = func(e *message.Entity) (bool, error) {
		if mr := e.MultipartReader(); mr != nil {
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return false, nil
				}
				if p == nil {
					return false, err
				}
				if done, err := visit(p); done || err != nil {
					return done, err
				}
			}
		}
		if !isAttachment(e) {
			return false, nil
		}
		if n == index {
			// The bytes the recipient's client saves: a text/* file
			// is not converted from its charset.
			data, err := io.ReadAll(mimetext.TransferDecoded(e.Body))
			found = data
			return true, err
		}
		n++
		return false, nil
	}
	done, err := visit(e)
	if err != nil {
		return nil, err
	}
	if !done {
		return nil, fmt.Errorf("the message has no attachment %d", index+1)
	}
	return found, nil
}

// isAttachment is walk's rule: a part with a name, declared an
// attachment, or not text.
func isAttachment(e *message.Entity) bool {
	ct, params, _ := e.Header.ContentType()
	disp, dparams, _ := e.Header.ContentDisposition()
	return disp == "attachment" || dparams["filename"] != "" || params["name"] != "" ||
		!(ct == "" || len(ct) >= 5 && ct[:5] == "text/")
}

// WriteNew writes data to a new file at path and refuses to replace an
// existing one (O_EXCL): saving never overwrites.
func WriteNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists: choose another name", path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
