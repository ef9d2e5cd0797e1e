package console

import (
	"bytes"
	"context"
	"io"
	"strings"

	"mxaudit/model"
	"mxaudit/ui/app"
)

// readBody reads message id and renders what a person reads of it: the
// decoded text (text/plain in its charset, or text/html rendered to
// text) and the list of attachments. It runs inside a tea.Cmd; the
// viewer sanitises every line.
func readBody(ctx context.Context, open func(context.Context, model.MessageID) (io.ReadCloser, error),
	id model.MessageID) ([]byte, bool, error) {
	raw, truncated, err := readMessage(ctx, open, id, rawLimit, false)
	if err != nil {
		return nil, false, err
	}
	b, derr := app.DecodeBody(bytes.NewReader(raw))
	var out strings.Builder
	if b.FromHTML {
		out.WriteString("[text/html rendered as text; links shown as <target>]\n\n")
	}
	if b.Text == "" {
		out.WriteString("(no text part)\n")
	}
	out.WriteString(b.Text)
	if derr != nil {
		out.WriteString("\n[the message could not be read to the end: " + derr.Error() + "]\n")
	}
	out.WriteString("\n── Attachments ──\n")
	if len(b.Attachments) == 0 {
		out.WriteString("none\n")
	}
	for _, a := range b.Attachments {
		out.WriteString(a + "\n")
	}
	return []byte(out.String()), truncated, nil
}
