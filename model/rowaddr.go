package model

// FromAddress returns the sender's address as the row keeps it for the
// from: filter: lower-cased. It names another message (the detail
// pane's PPAP pairing) without reading that message back; "" when the
// message has no address or the row was removed (Table.Remove).
func (r *Row) FromAddress() string {
	at := r.fromAt[1]
	if at[0] > at[1] || int(at[1]) > len(r.hay) {
		return ""
	}
	return r.hay[at[0]:at[1]]
}
