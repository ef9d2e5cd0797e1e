package store

import (
	"encoding/hex"
	"iter"
	"maps"
)

// cacheIndex is the cache's in-memory index: where each key's message is
// in the file. Nearly every key is a prefix and a SHA-256 digest in hex
// (digestPrefixes), and the index holds those as the 32 bytes they
// spell, in maps without pointers: a string key cost 70 bytes or more,
// and a pointer the collector followed, so that the index of a
// 232,000-record cache took 47 MB and was scanned at every collection
// of a warm scan (BenchmarkCacheIndexBytes). Any other key (an IMAP
// message's "UIDVALIDITY/UID", a snapshot's name) is held as it is.
//
// A key is held in exactly one of the maps, chosen by its spelling alone
// (digestOf), so that looking it up, removing it and listing it agree.
type cacheIndex struct {
	digests [len(digestPrefixes)]*digestTable
	named   map[string]cacheEntry // every other key
}

// digestPrefixes are the prefixes of the keys held as digests, each
// followed by 64 lower-case hex digits: none (a message's content
// digest), "stamp-" (a file's name and stamp, analysis/scan), "paired-"
// (a message as PPAP pairing emitted it, ui/app's scan snapshot) and
// "ppap-" (a remembered pairing's inputs, analysis/ppap's resultKey).
// Held as strings, the remembered pairings' keys took about 130 bytes
// each where a digest takes 48: 18 MB at a million messages.
var digestPrefixes = [...]string{"", "stamp-", "paired-", "ppap-"}

// stampKind is the place of "stamp-" in digestPrefixes.
const stampKind = 1

// newCacheIndex returns an empty index.
func newCacheIndex() cacheIndex {
	var x cacheIndex
	for i := range x.digests {
		x.digests[i] = newDigestTable(0)
	}
	x.named = map[string]cacheEntry{}
	return x
}

// digestOf returns the digest key spells and the index of its prefix in
// digestPrefixes; ok is false for a key that is not exactly one of the
// prefixes followed by 64 lower-case hex digits (upper-case hex would
// not spell the same key back).
func digestOf(key string) (sum [32]byte, kind int, ok bool) {
	if len(key) < 64 {
		return sum, 0, false
	}
	prefix, digits := key[:len(key)-64], key[len(key)-64:]
	kind = -1
	for i, p := range digestPrefixes {
		if prefix == p {
			kind = i
		}
	}
	if kind < 0 {
		return sum, 0, false
	}
	for i := range sum {
		hi, lo := lowerHex[digits[2*i]], lowerHex[digits[2*i+1]]
		if hi > 0xf || lo > 0xf {
			return sum, 0, false
		}
		sum[i] = hi<<4 | lo
	}
	return sum, kind, true
}

// lowerHex maps a lower-case hex digit to its value, anything else to
// 0xff.
var lowerHex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
	}
	return t
}()

// reserve makes the empty map that holds keys spelled as key hold about
// n keys without growing.
func (x *cacheIndex) reserve(key string, n int) {
	if _, kind, ok := digestOf(key); ok {
		if x.digests[kind].len() == 0 {
			x.digests[kind] = newDigestTable(n)
		}
		return
	}
	if len(x.named) == 0 {
		x.named = make(map[string]cacheEntry, n)
	}
}

// get returns key's entry.
func (x *cacheIndex) get(key string) (cacheEntry, bool) {
	if sum, kind, ok := digestOf(key); ok {
		return x.digests[kind].get(sum)
	}
	e, ok := x.named[key]
	return e, ok
}

// put sets key's entry.
func (x *cacheIndex) put(key string, e cacheEntry) {
	if sum, kind, ok := digestOf(key); ok {
		x.digests[kind].put(sum, e)
		return
	}
	x.named[key] = e
}

// remove deletes key's entry.
func (x *cacheIndex) remove(key string) {
	if sum, kind, ok := digestOf(key); ok {
		x.digests[kind].remove(sum)
		return
	}
	delete(x.named, key)
}

// len returns the number of keys.
func (x *cacheIndex) len() int {
	n := len(x.named)
	for _, t := range x.digests {
		n += t.len()
	}
	return n
}

// clear removes every key.
func (x *cacheIndex) clear() {
	for _, t := range x.digests {
		t.clear()
	}
	clear(x.named)
}

// all yields every key, spelled as it was put, and its entry, in no
// particular order. The caller may remove keys meanwhile, as with a map.
func (x *cacheIndex) all() iter.Seq2[string, cacheEntry] {
	return func(yield func(string, cacheEntry) bool) {
		for kind, t := range x.digests {
			for sum, e := range t.all() {
				if !yield(digestPrefixes[kind]+hex.EncodeToString(sum[:]), e) {
					return
				}
			}
		}
		for k, e := range x.named {
			if !yield(k, e) {
				return
			}
		}
	}
}

// entries yields every entry, without spelling the keys.
func (x *cacheIndex) entries() iter.Seq[cacheEntry] {
	return func(yield func(cacheEntry) bool) {
		for _, t := range x.digests {
			for _, e := range t.all() {
				if !yield(e) {
					return
				}
			}
		}
		for e := range maps.Values(x.named) {
			if !yield(e) {
				return
			}
		}
	}
}
