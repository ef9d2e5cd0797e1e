package console

import (
	"context"
	"errors"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/detail"
	"mxaudit/ui/console/rawview"
)

// Limits on what is read from a message for display.
const (
	headerLimit = 1 << 20  // the header section: 1 MiB is far more than any real one
	rawLimit    = 16 << 20 // the raw viewer shows at most 16 MiB
	// headerDelay debounces header loads: holding j down over a thousand
	// rows must not open a thousand messages.
	headerDelay = 120 * time.Millisecond
)

var errNoSource = errors.New("this console has no source to read messages from")

type (
	// headerDueMsg fires when the selection has rested on id long enough.
	headerDueMsg struct {
		seq int
		id  model.MessageID
	}
	// headersLoadedMsg carries the Received chain of id.
	headersLoadedMsg struct {
		seq  int
		id   model.MessageID
		hops []detail.Hop
		err  error
	}
	// viewerLoadedMsg carries the bytes for the header or raw viewer.
	viewerLoadedMsg struct {
		seq       int
		data      []byte
		truncated bool
		err       error
	}
)

// scheduleHeaders waits headerDelay, then asks for id's headers.
func (m *Model) scheduleHeaders(id model.MessageID) tea.Cmd {
	m.headerSeq++
	seq := m.headerSeq
	return tea.Tick(headerDelay, func(time.Time) tea.Msg { return headerDueMsg{seq: seq, id: id} })
}

func (m *Model) handleHeaderDue(msg headerDueMsg) tea.Cmd {
	if msg.seq != m.headerSeq {
		return nil
	}
	ctx, open, seq, id := m.scan.ctx, m.cfg.opener(), msg.seq, msg.id
	return func() tea.Msg {
		data, _, err := readMessage(ctx, open, id, headerLimit, true)
		if err != nil {
			return headersLoadedMsg{seq: seq, id: id, err: err}
		}
		return headersLoadedMsg{seq: seq, id: id, hops: detail.ParseReceived(data)}
	}
}

// openViewer opens the header or raw viewer on the selected message and
// returns the command that loads it.
func (m *Model) openViewer(kind rawview.Kind) tea.Cmd {
	sel := m.table.SelectedRow()
	if sel == nil {
		return nil
	}
	v := rawview.New(m.com, kind, sel.ID(), sel.Subject())
	m.show(screenViewer)
	m.viewer = v
	m.relayout()
	m.viewerSeq++
	ctx, open, seq, id := m.scan.ctx, m.cfg.opener(), m.viewerSeq, sel.ID()
	limit, headersOnly := int64(rawLimit), false
	if kind == rawview.Headers {
		limit, headersOnly = headerLimit, true
	}
	if kind == rawview.Body {
		return func() tea.Msg {
			data, truncated, err := readBody(ctx, open, id)
			return viewerLoadedMsg{seq: seq, data: data, truncated: truncated, err: err}
		}
	}
	return func() tea.Msg {
		data, truncated, err := readMessage(ctx, open, id, limit, headersOnly)
		return viewerLoadedMsg{seq: seq, data: data, truncated: truncated, err: err}
	}
}

// readMessage reads message id: its header section, or its first limit
// bytes, saying whether there was more.
func readMessage(ctx context.Context, open func(context.Context, model.MessageID) (io.ReadCloser, error),
	id model.MessageID, limit int64, headersOnly bool) ([]byte, bool, error) {
	if open == nil {
		return nil, false, errNoSource
	}
	rc, err := open(ctx, id)
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	if headersOnly {
		data, err := detail.HeaderBlock(rc, limit)
		return data, false, err
	}
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return data, false, err
	}
	if int64(len(data)) > limit {
		return data[:limit], true, nil
	}
	return data, false, nil
}
