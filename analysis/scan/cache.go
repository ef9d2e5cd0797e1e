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
}

// lookup finds a listed message's result in the cache. It returns the
// cached result, or nil and the key under which to store the new one.
// Content keys cost one extra read of the message, which the page cache
// usually serves; it is far cheaper than the analysis and DNS it saves.
func lookup(ctx context.Context, src mailsrc.Source, opt Options, e mailsrc.Entry) (*model.Message, string) {
	key := string(e.ID)
	if !opt.CacheByID {
		var err error
		if key, err = contentKey(ctx, src, e.ID); err != nil {
			return nil, "" // the analysis will meet the same error and report it
		}
	}
	if m, ok := opt.Cache.Get(key); ok {
		return &m, key
	}
	return nil, key
}

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
