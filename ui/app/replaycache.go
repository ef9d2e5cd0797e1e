package app

import (
	"sync/atomic"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// replayCache is the analysis cache as a replay's scan reads it: the
// result of a listed file pairing changed is its outcome, and a file
// the snapshot found uncached has none. It answers by the listed entry
// (scan.ListedCache), whose ID names the message in repl: keyed by each
// file's cache key, the swaps took a string key, an object and two map
// slots for each changed message, 4 MB of a warm start's 21 MB of heap
// at 100,000 messages (19,000 changed).
type replayCache struct {
	*store.Cache
	repl map[model.MessageID]replacement
	// read holds a flag for each changed message whose outcome the
	// workers read in the place of its analysis (no listing warning),
	// set once they did; the map is not changed once the scan begins.
	read map[model.MessageID]*atomic.Bool
}

// newReplayCache is the cache of a replay of entries from from on.
func newReplayCache(cache *store.Cache, repl map[model.MessageID]replacement, entries *heldEntries, from int) *replayCache {
	var swapped []model.MessageID
	for i := from; i < entries.len(); i++ {
		e := entries.at(i)
		if r, ok := repl[e.ID]; ok && !r.fresh && e.Stamp != "" && e.Warning == "" {
			swapped = append(swapped, e.ID)
		}
	}
	flags := make([]atomic.Bool, len(swapped))
	read := make(map[model.MessageID]*atomic.Bool, len(swapped))
	for i, id := range swapped {
		read[id] = &flags[i]
	}
	return &replayCache{Cache: cache, repl: repl, read: read}
}

var _ scan.ListedCache = (*replayCache)(nil)

// Get, GetEncoded and Has answer nothing: a replay's cache answers by
// the listed entry (GetListed), and a result asked for by its key alone
// would not be swapped for its outcome.
func (c *replayCache) Get(string) (model.Message, bool)        { return model.Message{}, false }
func (c *replayCache) GetEncoded(string) (model.Message, bool) { return model.Message{}, false }
func (c *replayCache) Has(string) bool                         { return false }

// Dropped implements scan.ListedCache: an outcome the scan could not
// decode, and analysed the message again instead, was not read.
func (c *replayCache) Dropped(e mailsrc.Entry) {
	if flag := c.read[e.ID]; flag != nil {
		flag.Store(false)
	}
}

// GetListed implements scan.ListedCache: the outcome of a changed
// message for its listed file (pinned where the snapshot found it),
// nothing for a file the snapshot found uncached, else the cached
// analysis under key.
func (c *replayCache) GetListed(e mailsrc.Entry, key string, encoded bool) (model.Message, bool) {
	get := c.Cache.Get
	if encoded {
		get = c.Cache.GetEncoded
	}
	r, changed := c.repl[e.ID]
	switch {
	case !changed || e.Stamp == "":
		return get(key)
	case r.fresh:
		// Analysed anew, as the snapshot found it without a result:
		// one written since, by another process, is not taken for it.
		return model.Message{}, false
	}
	flag := c.read[e.ID]
	if flag == nil {
		return get(key) // a listing warning: swapped as it is emitted
	}
	m, ok := pinnedGet(c.Cache, get, changedKey(e.ID), r.ref)
	if ok {
		flag.Store(true)
	}
	return m, ok
}

// pinnedGet reads key's record with get, only when it is still the one
// at ref, where the snapshot checked it (replacements); a record since
// rewritten under the key is not read.
func pinnedGet(c *store.Cache, get func(string) (model.Message, bool), key string, ref store.RecordRef) (model.Message, bool) {
	if !c.HoldsRef(key, ref) {
		return model.Message{}, false
	}
	return get(key)
}
