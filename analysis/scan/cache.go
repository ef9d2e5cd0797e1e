package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// Cache keeps analysis results between scans. *store.Cache implements it.
type Cache interface {
	Has(key string) bool
	Get(key string) (model.Message, bool)
	Put(key string, m model.Message) error
	Prune(keep func(key string) bool) int
	// PruneStamps is Prune for the stamp keys alone (StampKey), given
	// their digests (StampSum): a scan forgets the files it no longer
	// lists without the cache spelling every key out and the scan
	// reading it back.
	PruneStamps(keep func(sum [sha256.Size]byte) bool) int
}

// EncodedCache is a Cache that can return a result with only its head
// decoded (model.Encoded); *store.Cache implements it.
type EncodedCache interface {
	GetEncoded(key string) (model.Message, bool)
}

// ListedCache is a Cache whose result for a listed file may depend on
// the listing's entry, not on its key alone: ui/app's replay of a scan
// snapshot gives, for a message PPAP pairing changed, its outcome, found
// by the entry's ID. The scan asks it (with encoded as Options.Encoded)
// instead of Get or GetEncoded, and tells it through Dropped of a result
// it gave that the scan did not use (an encoded result that does not
// decode: the message is analysed again). Both are called from the
// workers at once.
type ListedCache interface {
	GetListed(e mailsrc.Entry, key string, encoded bool) (model.Message, bool)
	Dropped(e mailsrc.Entry)
}

// lookup finds a listed message's result in the cache. It returns the
// cached result and true, or false and the key under which to store the
// new one.
// The key is, in order of preference: the ID where it names one message
// for good (IMAP); the source's stamp of the stored file (inode, size,
// modification time), which costs no read at all, so that a warm reopen
// of an unchanged quarantine reads no message; else the hash of the
// message's bytes, which costs one extra read (the page cache usually
// serves it; it is far cheaper than the analysis and DNS it saves).
//
// key, when not empty, is the key already computed (the listing's stamp
// key: see listJobs).
func lookup(ctx context.Context, src mailsrc.Source, opt Options, e mailsrc.Entry, key string) (model.Message, string, bool) {
	switch {
	case key != "":
	case opt.CacheByID:
		key = string(e.ID)
	case e.Stamp != "":
		key = stampKey(e)
	default:
		var err error
		if key, err = contentKey(ctx, src, e.ID); err != nil {
			return model.Message{}, "", false // the analysis will meet the same error and report it
		}
	}
	get := opt.Cache.Get
	if lc, ok := opt.Cache.(ListedCache); ok {
		get = func(key string) (model.Message, bool) { return lc.GetListed(e, key, opt.Encoded) }
	} else if ec, ok := opt.Cache.(EncodedCache); ok && opt.Encoded {
		get = ec.GetEncoded
	}
	m, ok := get(key)
	return m, key, ok
}

// stampKey is the cache key of a listed file by its stamp: a hash, since
// IDs (file names) may hold any byte and keys may not. The ID is part of
// it: a result names its message, and two files are never one.
func stampKey(e mailsrc.Entry) string { return StampKey(StampSum(e)) }

// StampSum is the digest a listed file's stamp key is made of, for a
// caller that keeps many keys (32 bytes instead of a 70-byte string).
func StampSum(e mailsrc.Entry) [sha256.Size]byte {
	// One buffer on the stack for the usual name and stamp: a hash
	// object and a copy of each string were three allocations a message
	// (twice for each message in a replayed scan).
	var buf [256]byte
	b := append(append(append(buf[:0], e.ID...), 0), e.Stamp...)
	return sha256.Sum256(b)
}

// StampKey is the cache key of a stamp digest (StampSum): the key under
// which a scan caches the result of a listed file that has a stamp.
func StampKey(sum [sha256.Size]byte) string {
	// Spelled in one buffer and made a string once: the hex and the
	// joined string were two allocations for every listed file.
	var b [len(stampPrefix) + 2*sha256.Size]byte
	copy(b[:], stampPrefix)
	hex.Encode(b[len(stampPrefix):], sum[:])
	return string(b[:])
}

// stampPrefix starts every stamp key.
const stampPrefix = "stamp-"

// contentKey is the hex SHA-256 of a message's raw bytes.
func contentKey(ctx context.Context, src mailsrc.Source, id model.MessageID) (string, error) {
	rc, err := src.Open(ctx, id)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cacheable reports whether a result may be kept for later scans: not
// when the message could not be read, and not when a DNS failure left a
// temporary error that the next scan may well resolve.
func cacheable(m *model.Message) bool {
	if m.Error != "" {
		return false
	}
	a := m.Auth
	if a == nil {
		return true
	}
	if a.SPF.Result == model.ResultTempError || a.DMARC.Result == model.ResultTempError {
		return false
	}
	for _, d := range a.DKIM {
		if d.Result == model.ResultTempError {
			return false
		}
	}
	return true
}
