// Package mimetext decodes the text of mail headers as Japanese and other
// mailers really write it: RFC 2047 words in any charset, raw ISO-2022-JP,
// Shift_JIS and EUC-JP, RFC 2231 parameters, and address lists with such
// display names. Every input is attacker-controlled; nothing here fails,
// undecodable bytes become U+FFFD.
//
// It is a leaf below analysis and analysis/ppap, which both read headers
// the same way.
package mimetext
