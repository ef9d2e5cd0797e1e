package model

// PPAPState is what PPAP pairing found in a message's encrypted archives,
// as the list's attachment badge shows it.
type PPAPState struct {
	Decrypted bool // at least one encrypted archive was opened
	Unopened  bool // at least one encrypted archive was not
	Infected  bool // the scanner found a virus in an opened one
	Risky     bool // an opened archive holds a risky file
	Unscanned bool // a scanner is configured but did not scan an opened one
}

// PPAPOf returns the PPAP state of m's encrypted archives.
func PPAPOf(m *Message) PPAPState {
	var s PPAPState
	for i := range m.Attachments {
		a := &m.Attachments[i]
		arc := a.Archive
		if arc == nil || !arc.Encrypted {
			continue
		}
		if !arc.Decrypted {
			s.Unopened = true
			continue
		}
		s.Decrypted = true
		if arc.Scan != nil {
			switch arc.Scan.Result {
			case ScanInfected:
				s.Infected = true
			case ScanNotScanned:
				s.Unscanned = true
			}
		}
		if len(a.Risks) > 0 || len(arc.AllRisks()) > 0 {
			s.Risky = true
		}
	}
	return s
}
