package imap

import (
	"net"
	"sync/atomic"
)

// Stats are the traffic counters of a Source, over all its connections
// since Open. They are what the efficiency claims are measured with.
type Stats struct {
	// Commands is the number of IMAP commands sent (tagged command lines:
	// LOGIN, EXAMINE, UID FETCH, ...; not IDLE's DONE).
	Commands int64
	// BytesIn and BytesOut count bytes on the wire, TLS included.
	BytesIn, BytesOut int64
	// Connections is the number of connections opened, reconnections
	// included.
	Connections int64
	// Messages is the number of messages delivered by List and
	// ListSummaries.
	Messages int64
	// PartsFetched and PartsElided count leaf parts whose bodies
	// ListSummaries fetched or left out.
	PartsFetched, PartsElided int64
	// FullFetches counts whole messages fetched by Open.
	FullFetches int64
}

// counters is the live, atomically updated form of Stats.
type counters struct {
	commands, bytesIn, bytesOut, connections    atomic.Int64
	messages, partsFetched, partsElided, opened atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Commands:     c.commands.Load(),
		BytesIn:      c.bytesIn.Load(),
		BytesOut:     c.bytesOut.Load(),
		Connections:  c.connections.Load(),
		Messages:     c.messages.Load(),
		PartsFetched: c.partsFetched.Load(),
		PartsElided:  c.partsElided.Load(),
		FullFetches:  c.opened.Load(),
	}
}

// wireConn counts the bytes of a raw TCP connection.
type wireConn struct {
	net.Conn
	c *counters
}

func (w *wireConn) Read(b []byte) (int, error) {
	n, err := w.Conn.Read(b)
	w.c.bytesIn.Add(int64(n))
	return n, err
}

func (w *wireConn) Write(b []byte) (int, error) {
	n, err := w.Conn.Write(b)
	w.c.bytesOut.Add(int64(n))
	return n, err
}

// commandConn counts the commands in the clear-text stream the IMAP client
// writes: a line starting with a tag ("T12 ") is a command. The client's
// tags are 'T' and digits; nothing else we send starts a line that way
// (SASL responses are base64 without spaces, IDLE's end is "DONE").
type commandConn struct {
	net.Conn
	c *counters
	// state of the line scanner: 0 at line start, 1 after 'T', 2 after
	// 'T' and a digit, 3 inside a line.
	state int
}

func (w *commandConn) Write(b []byte) (int, error) {
	for _, ch := range b {
		switch {
		case ch == '\n':
			w.state = 0
		case w.state == 0 && ch == 'T':
			w.state = 1
		case (w.state == 1 || w.state == 2) && ch >= '0' && ch <= '9':
			w.state = 2
		case w.state == 2 && ch == ' ':
			w.c.commands.Add(1)
			w.state = 3
		default:
			w.state = 3
		}
	}
	return w.Conn.Write(b)
}
