package mailsrc

import (
	"hash/maphash"
	"math/bits"
	"slices"

	"mxaudit/model"
)

// maildirPlaces is where a finished listing saw each message, for Open
// and the actions until the next listing: 8 bytes a message, where the
// listing itself (maildirIndex) keeps every name, about 45 bytes a
// message in a generated Maildir and 70 in Dovecot's (at 1,000,000
// messages it was 35 MB of the console's live heap, kept for as long as
// the console runs).
//
// What Open needs of a message is its folder and the info part of its
// file name (":2,S"): the caller gives the ID, the rest of the name. A
// place is a keyed hash of the ID, its high bits, with the index of the
// folder and info part (infos: a few dozen distinct ones in a Maildir)
// in the low bits, sorted.
//
// A hash is no proof: two IDs may share one, and a lookup returns every
// place its hash matches. A wrong place is harmless all the same: the
// file it names is the asked ID followed by an info part (everything
// from the first ':' on), so when such a file exists it is that message;
// when none does, Open looks for the message by its unique name as for
// one renamed since. The hash is keyed with a seed of the listing's own,
// so that nobody who names files can make IDs collide on purpose.
type maildirPlaces struct {
	seed    maphash.Seed
	refBits uint     // low bits of a place holding its info's index
	places  []uint64 // sorted
	infos   []maildirInfo
}

// maildirInfo is a folder and an info part, shared by the messages that
// have them.
type maildirInfo struct {
	sub  string // "new" or "cur"
	info string // the name after the ID: "" or from its ':' on
}

// placeInfosMost is how many distinct folders and info parts the places
// of n messages may have: a few dozen in a Maildir whose info parts are
// flags, a sixteenth of n in one whose deliverer writes something else
// there. Each costs its string and an entry of a map while the places are
// made; past that, the places would be no smaller than the listing.
func placeInfosMost(n int) int { return max(64, n/16) }

// newMaildirPlaces returns the places of the messages in listing x, or
// nil when they have more than most distinct folders and info parts.
func newMaildirPlaces(x *maildirIndex, most int) *maildirPlaces {
	// The low bits hold as many infos as may come, so that one pass
	// reads each name once: the names lie in the folders' order, not in
	// the listing's, and a read is often a miss of the processor's cache
	// (at 100,000 messages one pass took 3.8 ms where two took 5.3). The
	// hash keeps 48 bits up to about a million messages, 44 at ten
	// million: its collisions are as rare as they are harmless.
	p := &maildirPlaces{seed: maphash.MakeSeed(), refBits: uint(bits.Len(uint(max(most-1, 0))))}
	// By folder, then info part: a map keyed by the string alone reads
	// it from the name's bytes without copying them.
	var index [2]map[string]uint64
	refs := make([]uint64, x.len())
	for i, r := range x.slots {
		folder := r.n / maildirRecNew // 1 for new/
		name := x.name(r)
		idLen := r.idLen &^ maildirInoWide
		info := name[idLen:]
		ref, ok := index[folder][string(info)]
		if !ok {
			if len(p.infos) == most {
				return nil
			}
			if index[folder] == nil {
				index[folder] = map[string]uint64{}
			}
			ref = uint64(len(p.infos))
			info := string(info) // one copy, the map's key and the table's
			index[folder][info] = ref
			p.infos = append(p.infos, maildirInfo{sub: x.sub(r), info: info})
		}
		refs[i] = p.hash(name[:idLen])<<p.refBits | ref
	}
	sortPlaces(refs)
	p.places = refs
	return p
}

// sortPlaces sorts places, whose high bits are a keyed hash and so evenly
// spread: by their top byte into 256 buckets, in place (an American
// flag sort), then each bucket by its next byte, and buckets of under 256
// places by comparison. slices.Sort alone took 8 of the 14 ms that
// making the places of 100,000 messages took, at the end of every
// listing; one pass into as many buckets as would hold a few places each
// took 130 ms at 1,000,000 messages, each of its moves a miss of the
// processor's cache, where 256 buckets are written in 256 runs (60 ms
// for the whole of the places).
func sortPlaces(a []uint64) { sortPlacesBy(a, 56) }

// sortPlacesBy sorts a, whose values agree above bit shift+8, by the byte
// at shift and then below.
func sortPlacesBy(a []uint64, shift uint) {
	if len(a) < 1<<8 {
		slices.Sort(a)
		return
	}
	var next, end [256]int // where a bucket's next place goes, and its end
	for _, v := range a {
		end[v>>shift&0xff]++
	}
	sum := 0
	for b := range end {
		next[b] = sum
		sum += end[b]
		end[b] = sum
	}
	for b := range next {
		for next[b] < end[b] {
			v := a[next[b]]
			for d := v >> shift & 0xff; d != uint64(b); d = v >> shift & 0xff {
				a[next[d]], v = v, a[next[d]]
				next[d]++
			}
			a[next[b]] = v
			next[b]++
		}
	}
	if shift == 0 {
		return // each bucket holds equal places
	}
	start := 0
	for _, e := range end {
		sortPlacesBy(a[start:e], shift-8)
		start = e
	}
}

// hash returns the high bits of id's keyed hash, shifted down by refBits.
func (p *maildirPlaces) hash(id []byte) uint64 {
	return maphash.Bytes(p.seed, id) >> p.refBits
}

// find returns the files that may hold message id (see maildirPlaces).
func (p *maildirPlaces) find(id model.MessageID) []maildirFile {
	if p == nil || !validMaildirID(id) {
		return nil
	}
	var files []maildirFile
	h := maphash.String(p.seed, string(id)) >> p.refBits
	i, _ := slices.BinarySearch(p.places, h<<p.refBits)
	for ; i < len(p.places) && p.places[i]>>p.refBits == h; i++ {
		info := p.infos[p.places[i]&(1<<p.refBits-1)]
		files = append(files, maildirFile{sub: info.sub, name: string(id) + info.info})
	}
	return files
}
