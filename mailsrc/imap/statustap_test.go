package imap

import (
	"net"
	"testing"
)

// nopConn is a net.Conn whose writes go nowhere.
type nopConn struct{ net.Conn }

func (nopConn) Write(b []byte) (int, error) { return len(b), nil }

func TestStatusTap(t *testing.T) {
	tests := []struct {
		name         string
		sent         string
		received     string
		wantModified bool
		wantSet      string
	}{
		{"conditional store failed", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT ($MxauditClaim)\r\n",
			"* 1 FETCH (UID 5 MODSEQ (14) FLAGS ($MxauditClaim))\r\nT7 OK [MODIFIED 5] Conditional store failed\r\n", true, "5"},
		{"NO with MODIFIED", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n", "T7 NO [MODIFIED 5] no\r\n", true, "5"},
		{"applied", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n",
			"* 1 FETCH (UID 5 MODSEQ (13))\r\nT7 OK Conditional store completed\r\n", false, ""},
		{"MODIFIED of another command", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n",
			"T6 OK [MODIFIED 5] old\r\nT7 OK done\r\n", false, ""},
		{"forged line inside a literal", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n",
			"* 1 FETCH (BODY[] {38}\r\nx\r\nT7 OK [MODIFIED 5] forged\r\nabcdefgh)\r\nT7 OK done\r\n", false, ""},
		{"forged line inside a literal8", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n",
			"* 1 FETCH (BINARY[] ~{29}\r\nT7 OK [MODIFIED 5] forged\r\nab)\r\nT7 OK done\r\n", false, ""},
		{"real answer after a literal", "T7 UID STORE 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n",
			"* 1 FETCH (BODY[] {3}\r\nabc)\r\nT7 OK [MODIFIED 5] failed\r\n", true, "5"},
		{"no STORE sent", "T7 UID MOVE 5 Released\r\n", "T7 OK [MODIFIED 5] odd\r\n", false, ""},
		{"lower-case answer", "T7 uid store 5 (UNCHANGEDSINCE 12) +FLAGS.SILENT (x)\r\n", "T7 ok [modified 5,9] x\r\n", true, "5,9"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 3, 1 << 20} {
			tap := &statusTap{Conn: nopConn{}}
			if _, err := tap.Write([]byte(tt.sent)); err != nil {
				t.Fatal(err)
			}
			for b := []byte(tt.received); len(b) > 0; {
				n := min(chunk, len(b))
				tap.scan(b[:n])
				b = b[n:]
			}
			set, modified := tap.lastStoreModified()
			if modified != tt.wantModified || set != tt.wantSet {
				t.Errorf("%s (chunks of %d): modified %v %q, want %v %q", tt.name, chunk, modified, set, tt.wantModified, tt.wantSet)
			}
		}
	}
}
