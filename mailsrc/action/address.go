package action

// CheckAddress reports why addr cannot be an SMTP envelope address
// (local@domain, no spaces or routing characters), or nil. Forms use it
// to validate a field before asking for a dry run.
func CheckAddress(addr string) error { return checkAddress(addr) }
