// Package fsx is mxaudit's one canonical helper for durable, shared files:
// advisory file locks bounded by a context, atomic replacement of a file
// (temporary file, fsync, rename, directory fsync), directory fsync, and
// the modes of files created in a directory a team of operators shares.
//
// Every package that writes state other mxaudit processes read (the
// policy file, the audit log, the analysis cache, a quarantine's release
// ledger, a delivery Maildir) goes through it, so that a fix to the
// locking or the fsync order is made once.
//
// It lives under model/store because model/store is the lowest layer that
// already touches the disk and every user (model/store, mailsrc,
// mailsrc/action) already depends on model: placing it in mailsrc would
// have made model import mailsrc. It imports only the standard library.
package fsx
