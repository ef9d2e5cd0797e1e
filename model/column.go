package model

// Column is one column of the message list. Every column is sortable; the
// list's layout and titles belong to the UI, the order to this package.
type Column int

// The list's columns, in display order.
const (
	ColumnMarker     Column = iota // one-character severity marker
	ColumnDate                     // Date header (or when the source received it)
	ColumnFrom                     // display name, or the address when there is none
	ColumnDomain                   // From domain
	ColumnSubject                  // Subject
	ColumnSize                     // raw size in bytes
	ColumnAttachment               // attachment verdict
	ColumnSPF                      // SPF result
	ColumnDKIM                     // summary of the DKIM signatures
	ColumnDMARC                    // DMARC result, then the published policy
	ColumnException                // exception status: none, partial, allowed
	NumColumns                     // the number of columns; not a column
)

var columnNames = [NumColumns]string{
	"marker", "date", "from", "domain", "subject", "size",
	"attachment", "spf", "dkim", "dmarc", "exception",
}

// String returns the column's lower-case name, as used in the header line
// and in command-line options.
func (c Column) String() string {
	if c < 0 || c >= NumColumns {
		return "column?"
	}
	return columnNames[c]
}

// Next returns the column after c, wrapping around.
func (c Column) Next() Column { return (c + 1) % NumColumns }

// Prev returns the column before c, wrapping around.
func (c Column) Prev() Column { return (c + NumColumns - 1) % NumColumns }
