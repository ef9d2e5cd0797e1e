package list

import (
	"charm.land/lipgloss/v2"

	"mxaudit/model"
	"mxaudit/ui/console/styles"
)

// PPAPLegend explains the badges of decrypted archives for the help
// screen.
const PPAPLegend = "E>ok/ENC>clean ZIP opened with its password, contents clean; E>ok?" +
	" clean but not virus-scanned; E>RSK risky inside; E>VIR virus found"

// ppapState is what PPAP pairing found in a message's encrypted archives.
type ppapState struct {
	decrypted bool // at least one encrypted archive was opened
	unopened  bool // at least one encrypted archive was not
	infected  bool // the scanner found a virus in an opened one
	risky     bool // an opened archive holds a risky file
	unscanned bool // a scanner is configured but did not scan an opened one
}

func ppapOf(m *model.Message) ppapState {
	var s ppapState
	for i := range m.Attachments {
		a := &m.Attachments[i]
		arc := a.Archive
		if arc == nil || !arc.Encrypted {
			continue
		}
		if !arc.Decrypted {
			s.unopened = true
			continue
		}
		s.decrypted = true
		if arc.Scan != nil {
			switch arc.Scan.Result {
			case model.ScanInfected:
				s.infected = true
			case model.ScanNotScanned:
				s.unscanned = true
			}
		}
		if len(a.Risks) > 0 || len(arc.AllRisks()) > 0 {
			s.risky = true
		}
	}
	return s
}

// ppapBadge draws the attachment cell of a message whose encrypted
// archive was opened by PPAP pairing, in plain ASCII: arrows and check
// marks are of ambiguous width and take two cells in a Japanese locale,
// which would shift every column after them. It reports false when the
// ordinary badge applies: nothing was decrypted, an archive is still
// unopened, or the message is risky for another reason.
func ppapBadge(st *styles.Styles, m *model.Message, compact bool) (string, lipgloss.Style, bool) {
	s := ppapOf(m)
	if !s.decrypted {
		return "", st.Text, false
	}
	pick := func(short, long string) string {
		if compact {
			return short
		}
		return long
	}
	switch {
	case s.infected:
		return pick("E>VIR", "ENC>VIRUS"), st.Infected, true
	case m.Verdict.Attachment == model.AttachmentRisky && s.risky:
		return pick("E>RSK", "ENC>RISKY"), st.Bad, true
	case m.Verdict.Attachment != model.AttachmentEncrypted || s.unopened:
		return "", st.Text, false
	case s.unscanned:
		return pick("E>ok?", "ENC>ok?"), st.Warn, true
	}
	return pick("E>ok", "ENC>clean"), st.Good, true
}
