// Package demo generates the demo and test quarantine: about sixty curated
// messages that look like a Japanese company's Monday-morning quarantine
// (password-protected ZIP "PPAP" mail and its password notifications,
// risky attachments, DMARC failures, a few clean messages held by
// mistake, malformed and hostile messages), a streaming generator of large
// realistic mixes, the DNS zone all their domains publish, and writers
// for the stores mxaudit reads (Maildir, a directory of .eml files, mbox,
// amavis-style gzip files).
//
// Everything is deterministic: the same seed gives the same bytes, so that
// tests and golden frames are stable. Each Sample carries an Expect: what
// the analysis must find in it.
package demo

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// DefaultBase is the demo's "now": Monday 23 November 2026, 09:00 in
// Tokyo. The curated messages arrived over the weekend before it.
var DefaultBase = time.Date(2026, 11, 23, 9, 0, 0, 0, jst)

var jst = time.FixedZone("JST", 9*60*60)

// Sample is one generated message.
type Sample struct {
	// Name is a stable Maildir-style file name without flags, unique
	// within a set, e.g. "1795164120.M115838P3.demo" (curated) or
	// "1794787972.M59P20059.bulk". It starts with the arrival time in Unix
	// seconds; curated names sort by arrival.
	Name string
	// Raw is the RFC 5322 message with CRLF line ends.
	Raw []byte
	// Want is what the analysis must find in Raw.
	Want Expect
}

// Options tunes Samples.
type Options struct {
	// Seed drives the incidental randomness (boundaries, Message-ID and
	// queue ids); 0 means 1. The scenarios themselves do not change.
	Seed uint64
}

// Samples returns the curated demo quarantine, ordered by arrival. It
// panics only on a bug in the generator itself, which the package's tests
// would catch: its inputs are all constants.
func Samples(opt Options) []Sample {
	seed := opt.Seed
	if seed == 0 {
		seed = 1
	}
	specs := curatedSpecs()
	slices.SortStableFunc(specs, func(a, b *mailSpec) int { return a.Time.Compare(b.Time) })

	names := make(map[string]string, len(specs))
	out := make([]Sample, len(specs))
	for i, s := range specs {
		out[i].Name = sampleName(s.Time, i)
		if s.Key != "" {
			if _, dup := names[s.Key]; dup {
				panic("demo: duplicate sample key " + s.Key)
			}
			names[s.Key] = out[i].Name
		}
	}
	resolve := func(key string) string {
		if key == "" {
			return ""
		}
		n, ok := names[key]
		if !ok {
			panic("demo: unknown sample key " + key)
		}
		return n
	}
	for i, s := range specs {
		b := newBuilder(seed, uint64(i))
		raw, want, err := b.build(s)
		if err != nil {
			panic(fmt.Sprintf("demo: sample %s: %v", s.Key, err))
		}
		want.PasswordFor = resolve(s.passwordForKey)
		want.PasswordMail = resolve(s.passwordMailKey)
		out[i].Raw, out[i].Want = raw, want
	}
	return out
}

// sampleName builds a Maildir-style unique name from the arrival time and
// the sample's position.
func sampleName(t time.Time, i int) string {
	return strconv.FormatInt(t.Unix(), 10) + ".M" + strconv.Itoa(100000+i*7919%900000) + "P" + strconv.Itoa(i+1) + ".demo"
}
