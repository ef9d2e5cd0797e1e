package model

import "crypto/sha256"

// ContentSum names the analysed message a row was made from: the first
// 16 bytes of the SHA-256 of the message as the analysis cache encodes
// it (ui/app hashes store.Encode's bytes, or the cached bytes of a
// message still encoded). A row is a function of its message alone
// (NewRow), so two rows with the same sum, made by the same row code
// (this package's source, SourceSum, and the libraries and Unicode
// tables it uses: ui/app names them for its row snapshot, rowMaker),
// are the same row, but for the exception, which the console applies to
// every row it lists (Policy.AnnotateRow). A console that scans again
// after a delivery thereby lists the rows it kept from its last scan for
// every message whose analysis and pairing did not change, instead of
// decoding each one whole to make its row again.
//
// Sixteen bytes keep a collision out of reach (2^64 work for a pair an
// attacker makes both halves of, and the pair must also name the same
// file) at 16 bytes a row. The zero sum names nothing: a row made from a
// message that could not be encoded (mail whose text is not UTF-8), or
// by a front end that keeps none, is never taken for another.
type ContentSum [16]byte

// SumContent returns the sum of a message encoded as the cache encodes
// it.
func SumContent(encoded []byte) ContentSum { return ContentSumOf(sha256.Sum256(encoded)) }

// ContentSumOf is SumContent of the bytes whose SHA-256 is digest.
func ContentSumOf(digest [sha256.Size]byte) ContentSum { return ContentSum(digest[:16]) }

// IsZero reports whether s names nothing.
func (s ContentSum) IsZero() bool { return s == ContentSum{} }

// Content is the sum of the message r was made from; zero when it was
// made without one (NewRow, Table.Append).
func (r *Row) Content() ContentSum { return r.content }

// NewRowOf is NewRow's row of m marked as made from the message whose
// sum is content: what RowBuilder.RowOf makes, for a reader that checks
// a listed row against its message, sum and all.
func NewRowOf(m *Message, content ContentSum) Row {
	r := newRow(m, nil, nil)
	r.content = content
	return r
}
