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

// ppapBadge draws the attachment cell of a message whose encrypted
// archive was opened by PPAP pairing, in plain ASCII: arrows and check
// marks are of ambiguous width and take two cells in a Japanese locale,
// which would shift every column after them. It reports false when the
// ordinary badge applies: nothing was decrypted, an archive is still
// unopened, or the message is risky for another reason.
func ppapBadge(st *styles.Styles, m *model.Row, compact bool) (string, lipgloss.Style, bool) {
	s := m.PPAP()
	if !s.Decrypted {
		return "", st.Text, false
	}
	pick := func(short, long string) string {
		if compact {
			return short
		}
		return long
	}
	switch {
	case s.Infected:
		return pick("E>VIR", "ENC>VIRUS"), st.Infected, true
	case m.Attachment == model.AttachmentRisky && s.Risky:
		return pick("E>RSK", "ENC>RISKY"), st.Bad, true
	case m.Attachment != model.AttachmentEncrypted || s.Unopened:
		return "", st.Text, false
	case s.Unscanned:
		return pick("E>ok?", "ENC>ok?"), st.Warn, true
	}
	return pick("E>ok", "ENC>clean"), st.Good, true
}
