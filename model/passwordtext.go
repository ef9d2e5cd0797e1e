package model

// PasswordsInText says what PPAP pairing found when it searched a
// message's subject and body text for passwords (a "パスワード: …" line,
// a string standing alone below "the password is"): the search an
// analysis that keeps text for pairing makes (analysis.Config.PairingText),
// over the text it keeps. Empty when the text was not searched: a scan
// without PPAP, a message rebuilt from its structure (an IMAP summary), a
// message that could not be parsed, or was not read to its end (its
// answer may differ next time, and would be cached).
//
// It is kept in the analysis cache with the rest of the result, so that a
// later scan that pairs cached results, whose text it no longer has, knows
// which mails can be no ZIP mail's password mail and need not hold them
// (analysis/ppap's Stream). The passwords themselves are never kept.
type PasswordsInText string

const (
	// PasswordsNone: the text holds no password candidate.
	PasswordsNone PasswordsInText = "none"
	// PasswordsFound: the text holds at least one password candidate.
	PasswordsFound PasswordsInText = "found"
)
