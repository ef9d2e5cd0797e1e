package app

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"mxaudit/analysis/scan"
	"mxaudit/mailsrc"
	"mxaudit/model"
	"mxaudit/model/store"
)

// TestListingDigestModesAgree: a listing's digest is the same whether
// the digest keeps each entry (a row replay's) or nothing (a check before
// a replay of messages; a recording scan, keeping the IDs or not), with
// and without entries lacking a cached result; the modes refuse the same
// listings, and a cache the digest did not look in.
func TestListingDigestModesAgree(t *testing.T) {
	c, other := emptyCache(t), emptyCache(t)
	var entries []mailsrc.Entry
	for i := range 40 {
		e := mailsrc.Entry{ID: model.MessageID(fmt.Sprintf("cur/%d.M%d.host:2,S", 1796600000+i, i)), Stamp: fmt.Sprint(1000 + i)}
		if i%7 == 3 {
			e.Warning = "a From_ line inside"
		}
		if i%5 != 2 {
			e.Received = time.Unix(1796600000+int64(i), 0)
		}
		entries = append(entries, e)
		if i%9 == 4 {
			continue // no cached result
		}
		putStamped(t, c, e, model.Message{ID: e.ID, Subject: fmt.Sprint(i)})
	}
	missing := func(list []mailsrc.Entry) (ids []model.MessageID) {
		for i, e := range list {
			if i%9 == 4 && e.Err == nil {
				ids = append(ids, e.ID)
			}
		}
		return ids
	}
	modes := map[string]func() *listingDigest{
		"kept":     func() *listingDigest { return newKeptDigest("salt", len(entries), c) },
		"streamed": func() *listingDigest { return newStreamedDigest("salt", c) },
		"streamed, keeping IDs": func() *listingDigest {
			d := newStreamedDigest("salt", c)
			d.keepIDs = true
			return d
		},
	}
	unreadable := slices.Clone(entries)
	unreadable[11].Err = errors.New("gone")
	unstamped := slices.Clone(entries)
	unstamped[20].Stamp = ""
	moved := slices.Clone(entries)
	moved[0], moved[1] = moved[1], moved[0]
	for _, tt := range []struct {
		name       string
		list       []mailsrc.Entry
		uncachedOK bool
		ok         bool
	}{
		{"uncached allowed", entries, true, true},
		{"uncached refused", entries, false, false},
		{"all cached", entries[:4], false, true},
		{"in another order", moved, true, true},
		{"an entry unreadable", unreadable, true, false},
		{"an entry without a stamp", unstamped, true, false},
	} {
		sums := map[string]string{}
		for name, mode := range modes {
			d := mode()
			for _, e := range tt.list {
				d.add(e)
			}
			digest, uncached, ok := d.sum(c, func(model.MessageID) bool { return tt.uncachedOK })
			if ok != tt.ok {
				t.Errorf("%s, %s: ok %v, want %v", tt.name, name, ok, tt.ok)
			}
			if ok && !slices.Equal(uncached, missing(tt.list)) {
				t.Errorf("%s, %s: uncached %v, want %v", tt.name, name, uncached, missing(tt.list))
			}
			sums[name] = digest
		}
		if sums["kept"] != sums["streamed"] || sums["kept"] != sums["streamed, keeping IDs"] {
			t.Errorf("%s: the digests differ: %v", tt.name, sums)
		}
	}
	for name, mode := range modes {
		d := mode()
		for _, e := range entries[:4] {
			d.add(e)
		}
		if _, _, ok := d.sum(other, func(model.MessageID) bool { return true }); ok {
			t.Errorf("%s: summed with a cache it did not look in", name)
		}
	}
	a, b := newStreamedDigest("salt", c), newStreamedDigest("salt", c)
	for _, e := range entries {
		a.add(e)
	}
	for _, e := range moved {
		b.add(e)
	}
	da, _, _ := a.sum(c, func(model.MessageID) bool { return true })
	db, _, _ := b.sum(c, func(model.MessageID) bool { return true })
	if da == db {
		t.Error("two orders of one listing hash alike")
	}
}

// TestStreamedDigestAllocatesNothingPerEntry: a streamed digest keeps
// nothing per entry, and hashing an entry's ref allocates nothing (an
// array handed to the hash escaped: a million allocations at a million
// messages).
func TestStreamedDigestAllocatesNothingPerEntry(t *testing.T) {
	c := emptyCache(t)
	e := mailsrc.Entry{ID: "cur/1796600000.M1.host:2,S", Stamp: "1001"}
	putStamped(t, c, e, model.Message{ID: e.ID})
	d := newStreamedDigest("salt", c)
	if n := testing.AllocsPerRun(1000, func() { d.add(e) }); n > 0 {
		t.Errorf("%.1f allocations an entry", n)
	}
	if d.keys != nil || d.ids != nil || d.refs != nil || d.missed != nil {
		t.Errorf("kept per entry: %d keys, %d IDs, %d refs, %d missed", len(d.keys), len(d.ids), len(d.refs), len(d.missed))
	}
}

// emptyCache opens an empty analysis cache, closed when the test ends.
func emptyCache(t *testing.T) *store.Cache {
	t.Helper()
	c, err := store.OpenCache(t.TempDir(), "src", "fp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// putStamped caches m as the result of the listed file e.
func putStamped(t *testing.T, c *store.Cache, e mailsrc.Entry, m model.Message) {
	t.Helper()
	if err := c.Put(scan.StampKey(scan.StampSum(e)), m); err != nil {
		t.Fatal(err)
	}
}
