package imap

import (
	"context"
	"fmt"
	"strings"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

// partBudget bounds the part bodies one second-round fetch may bring into
// memory; a batch whose selected parts are larger is fetched and delivered
// in several steps.
const partBudget = 32 << 20

var headerSection = &goimap.FetchItemBodySection{Specifier: goimap.PartSpecifierHeader, Peek: true}

// summaryItems is the first round trip of a batch: everything the list and
// the header-based verdicts need. ENVELOPE and FLAGS are not asked for:
// the full header carries what ENVELOPE does, raw as the analyzer wants it
// (any charset, unparsable addresses kept), and would double the header
// bytes; flags play no part in a verdict.
var summaryItems = &goimap.FetchOptions{
	UID:           true,
	InternalDate:  true,
	RFC822Size:    true,
	BodyStructure: &goimap.FetchItemBodyStructure{Extended: true},
	BodySection:   []*goimap.FetchItemBodySection{headerSection},
}

// plan is one message of a batch between the two round trips.
type plan struct {
	msg      *imapclient.FetchMessageBuffer
	leaves   []leaf
	err      error // the structure cannot be summarised
	sections []*goimap.FetchItemBodySection
	key      string // identical keys share one second-round fetch
	bytes    int64  // body octets the second round brings
	got      parts
	vanished bool
}

// ListSummaries implements mailsrc.Summarizer. Per batch of Config.Batch
// messages it sends one UID FETCH of (UID INTERNALDATE RFC822.SIZE
// BODYSTRUCTURE BODY.PEEK[HEADER]); then, for the messages with parts
// that need selects, one UID FETCH per distinct set of sections, of
// BODY.PEEK[n.MIME] for named parts and BODY.PEEK[n] for selected ones.
// Everything uses PEEK: \Seen is never set.
func (s *Source) ListSummaries(ctx context.Context, need func(model.PartInfo) bool, fn func(mailsrc.Summary) error) error {
	return walk(ctx, s, fetchSummaryBatch, s.deliverSummaries(ctx, need, fn))
}

// fetchSummaryBatch is the first round trip of a batch.
func fetchSummaryBatch(c *imapclient.Client, uids []goimap.UID) ([]*imapclient.FetchMessageBuffer, error) {
	return collect(c.Fetch(goimap.UIDSetNum(uids...), summaryItems))
}

// Summaries implements mailsrc.Summarizer: the summaries of the given
// messages only, in the order given, batched like ListSummaries. It is
// how new arrivals (Watch's Added) and messages missing from a cache are
// analysed without listing the folder again. IDs of another UIDVALIDITY
// and messages that vanished are skipped with a note in the log; after a
// dropped connection the work resumes where it stopped.
func (s *Source) Summaries(ctx context.Context, ids []model.MessageID, need func(model.PartInfo) bool, fn func(mailsrc.Summary) error) error {
	deliver := s.deliverSummaries(ctx, need, fn)
	done := 0
	return s.run(ctx, s.reader, func(cn conn) error {
		// A session sees messages appended since it selected the mailbox
		// only once the server has told it: without this NOOP, Dovecot
		// answers a UID FETCH of a new arrival with nothing.
		if err := cn.c.Noop().Wait(); err != nil {
			return err
		}
		for done < len(ids) {
			var uids []goimap.UID
			for _, id := range ids[done:min(done+s.cfg.Batch, len(ids))] {
				validity, uid, err := parseID(id)
				if err != nil || validity != cn.validity {
					s.cfg.Logf("imap: %s: message %s is not in the mailbox any more (UIDVALIDITY changed); skipped", s.ep, id)
					continue
				}
				uids = append(uids, uid)
			}
			if len(uids) > 0 {
				msgs, err := fetchSummaryBatch(cn.c, uids)
				if err != nil {
					return err
				}
				n := 0
				if err := deliver(cn, uids, msgs, func(goimap.UID) { n++ }); err != nil {
					return err
				}
				if gone := len(uids) - n; gone > 0 {
					s.cfg.Logf("imap: %s: %d message(s) vanished before they could be read (another operator acted); skipped", s.ep, gone)
				}
			}
			done = min(done+s.cfg.Batch, len(ids))
		}
		return nil
	}, func() int { return done })
}

// deliverSummaries runs the second round trip of a batch and hands the
// summaries to fn.
func (s *Source) deliverSummaries(ctx context.Context, need func(model.PartInfo) bool, fn func(mailsrc.Summary) error) batchDeliver[[]*imapclient.FetchMessageBuffer] {
	return func(cn conn, uids []goimap.UID, msgs []*imapclient.FetchMessageBuffer, delivered func(goimap.UID)) error {
		got := byUID(msgs)
		var plans []*plan
		for _, uid := range uids {
			if m, ok := got[uid]; ok {
				plans = append(plans, makePlan(m, need))
			}
		}
		for len(plans) > 0 {
			n, budget := 0, int64(0)
			for n < len(plans) && (n == 0 || budget+plans[n].bytes <= partBudget) {
				budget += plans[n].bytes
				n++
			}
			step := plans[:n]
			plans = plans[n:]
			if err := fetchParts(cn.c, step); err != nil {
				return err
			}
			for _, p := range step {
				if p.vanished {
					continue
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				sum := s.summarise(cn.validity, p)
				if err := fn(sum); err != nil {
					return callerError{err}
				}
				s.stats.messages.Add(1)
				delivered(p.msg.UID)
			}
		}
		return nil
	}
}

// makePlan decides which sections of one message the second round fetches.
func makePlan(m *imapclient.FetchMessageBuffer, need func(model.PartInfo) bool) *plan {
	p := &plan{msg: m}
	if m.FindBodySection(headerSection) == nil {
		p.err = fmt.Errorf("the server sent no header")
		return p
	}
	p.leaves, p.err = leaves(m.BodyStructure)
	if p.err != nil {
		return p
	}
	_, multi := m.BodyStructure.(*goimap.BodyStructureMultiPart)
	var keys []string
	for i := range p.leaves {
		l := &p.leaves[i]
		l.wantBody = need(l.info)
		// The real header of a named part keeps the name exactly as sent
		// (RFC 2231, any charset), which BODYSTRUCTURE may not.
		l.wantMIME = multi && (l.wantBody || l.info.Filename != "" || l.info.Disposition == "attachment" || strings.HasPrefix(l.info.ContentType, "message/"))
		if l.wantMIME {
			p.sections = append(p.sections, &goimap.FetchItemBodySection{Part: l.path, Specifier: goimap.PartSpecifierMIME, Peek: true})
			keys = append(keys, l.key+".MIME")
		}
		if l.wantBody {
			sec := &goimap.FetchItemBodySection{Part: l.path, Peek: true}
			if !multi {
				sec = &goimap.FetchItemBodySection{Specifier: goimap.PartSpecifierText, Peek: true}
			}
			p.sections = append(p.sections, sec)
			keys = append(keys, l.key)
			p.bytes += l.info.Size
		}
	}
	p.key = strings.Join(keys, " ")
	return p
}

// fetchParts runs the second round trip for plans: the messages are
// grouped by identical section lists, one UID FETCH per group, all sent
// before the first answer is read.
func fetchParts(c *imapclient.Client, plans []*plan) error {
	groups := map[string][]*plan{}
	var order []string
	for _, p := range plans {
		if p.err != nil || len(p.sections) == 0 {
			continue
		}
		if _, ok := groups[p.key]; !ok {
			order = append(order, p.key)
		}
		groups[p.key] = append(groups[p.key], p)
	}
	// Each answer is read on its own goroutine: a server may interleave
	// the data of pipelined commands (Dovecot does), and the client stalls
	// if a message's literal waits for a reader busy with another command.
	type answer struct {
		msgs []*imapclient.FetchMessageBuffer
		err  error
	}
	answers := make([]chan answer, len(order))
	for i, key := range order {
		g := groups[key]
		var set goimap.UIDSet
		for _, p := range g {
			set.AddNum(p.msg.UID)
		}
		cmd := c.Fetch(set, &goimap.FetchOptions{UID: true, BodySection: g[0].sections})
		answers[i] = make(chan answer, 1)
		go func(ch chan answer) {
			msgs, err := collect(cmd)
			ch <- answer{msgs, err}
		}(answers[i])
	}
	var firstErr error
	for i, key := range order {
		a := <-answers[i]
		if a.err != nil {
			if firstErr == nil {
				firstErr = a.err
			}
			continue
		}
		got := byUID(a.msgs)
		for _, p := range groups[key] {
			m, ok := got[p.msg.UID]
			if !ok {
				p.vanished = true
				continue
			}
			p.got = parts{mime: map[string][]byte{}, body: map[string][]byte{}}
			for j, sec := range p.sections {
				b := m.FindBodySection(sec)
				if b == nil {
					continue
				}
				key := strings.Fields(p.key)[j]
				if k, ok := strings.CutSuffix(key, ".MIME"); ok {
					p.got.mime[k] = b
				} else {
					p.got.body[key] = b
				}
			}
		}
	}
	return firstErr
}

// summarise builds the Summary of a planned and fetched message.
func (s *Source) summarise(validity uint32, p *plan) mailsrc.Summary {
	m := p.msg
	sum := mailsrc.Summary{Entry: mailsrc.Entry{ID: formatID(validity, m.UID), Size: m.RFC822Size, Received: m.InternalDate}}
	if p.err != nil {
		sum.Entry.Err = fmt.Errorf("imap: message %s: %w", sum.Entry.ID, p.err)
		return sum
	}
	sum.Message = rebuild(m.FindBodySection(headerSection), m.BodyStructure, p.got)
	for _, l := range p.leaves {
		if _, ok := p.got.body[l.key]; ok {
			sum.Fetched = append(sum.Fetched, l.info)
		} else {
			sum.Elided = append(sum.Elided, l.info)
		}
	}
	s.stats.partsFetched.Add(int64(len(sum.Fetched)))
	s.stats.partsElided.Add(int64(len(sum.Elided)))
	return sum
}
