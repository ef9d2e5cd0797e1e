package action

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mxaudit/mailsrc"
	"mxaudit/model"
)

func (s *Service) plan(ctx context.Context, req Request, msgs []*model.Message) (Plan, error) {
	if req.Kind != Release && req.Kind != Delete {
		return Plan{}, fmt.Errorf("unknown action %q", req.Kind)
	}
	byID := make(map[model.MessageID]*model.Message, len(msgs))
	for _, m := range msgs {
		if m != nil {
			byID[m.ID] = m
		}
	}
	if len(req.IDs) == 0 {
		for _, m := range msgs {
			if m != nil {
				req.IDs = append(req.IDs, m.ID)
			}
		}
	}
	if len(req.IDs) == 0 {
		return Plan{}, errors.New("no messages to act on")
	}
	if err := checkAddresses(req); err != nil {
		return Plan{}, err
	}
	policy, err := s.loadPolicy()
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Request: req}
	seen := map[model.MessageID]bool{}
	for _, id := range req.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		m := byID[id]
		if m == nil {
			return Plan{}, fmt.Errorf("message %s: not among the messages given to plan", id)
		}
		if err := ctx.Err(); err != nil {
			return Plan{}, err
		}
		it := s.planItem(ctx, req, m, &policy)
		if it.Decision.Outcome == model.DecisionNeedsOverride && model.CheckOverrideReason(req.OverrideReason) != nil {
			p.NeedsOverride = true
		}
		p.Items = append(p.Items, it)
	}
	s.summarize(&p)
	return p, nil
}

// checkAddresses refuses a request whose chosen or copy addresses are not
// plain addresses: they go into SMTP commands.
func checkAddresses(req Request) error {
	for _, list := range [][]string{req.To, req.CopyTo} {
		for _, a := range list {
			if err := checkAddress(a); err != nil {
				return fmt.Errorf("address %q: %v", clip(a), err)
			}
		}
	}
	if req.Kind == Delete && (req.To != nil || len(req.CopyTo) > 0) {
		return errors.New("recipients are for a release, not a delete")
	}
	return nil
}

// planItem works out one message of a plan. Problems reading it end up in
// Blocked, so that one bad message does not stop the plan of the others.
func (s *Service) planItem(ctx context.Context, req Request, m *model.Message, policy *model.Policy) Item {
	it := Item{Message: m}
	st := mailsrc.ReleaseState{ID: m.ID}
	// A source without a ledger (IMAP) is asked once: reading the
	// envelope of a release tells whether the message is there.
	if s.ledger != nil || req.Kind == Delete {
		var present bool
		var err error
		if st, present, err = s.peekState(ctx, m.ID); err != nil {
			it.Blocked = err.Error()
			return it
		}
		if !present {
			it.Blocked = s.goneErr(m.ID, st).Error()
			return it
		}
	}
	if req.Kind == Delete {
		return it
	}
	env, err := s.envelope(ctx, m.ID)
	if errors.Is(err, mailsrc.ErrNotFound) {
		err = s.goneErr(m.ID, st)
	}
	if err != nil {
		it.Blocked = err.Error()
		return it
	}
	if it.SHA256 = m.SHA256; it.SHA256 == "" && s.ledger != nil {
		if it.SHA256, err = s.digestNow(ctx, m.ID); err != nil {
			it.Blocked = err.Error()
			return it
		}
	}
	it.Decision = model.ReleaseDecision(m, policy, s.cfg.Operator, s.cfg.Now())
	s.fillRecipients(&it, req, env, st)
	if why := blockedBy(it.Decision, req.OverrideReason); why != "" {
		it.Blocked = why
	}
	return it
}

// fillRecipients sets the item's recipients from the envelope, the
// request's choice and what was served before.
func (s *Service) fillRecipients(it *Item, req Request, env envelope, st mailsrc.ReleaseState) {
	it.Original, it.FromHeaders, it.Sender = env.Recipients, env.FromHeaders, env.Sender
	it.Warnings = append(append(it.Warnings, env.Warnings...), it.Decision.Warnings...)
	chosen := env.Recipients
	if env.FromHeaders && req.To == nil {
		// No envelope was recorded: To and Cc are whatever the sender
		// wrote, possibly outside addresses to relay to through us. Only
		// recipients the operator names explicitly are served.
		chosen = nil
	}
	if req.To != nil {
		chosen = nil
		for _, a := range req.To {
			if containsAddr(env.Recipients, a) {
				chosen = addUnique(chosen, a)
			} else {
				it.Warnings = append(it.Warnings, fmt.Sprintf("%s is not a recipient of this message: not sent to (use a copy to send it there)", a))
			}
		}
	}
	var pending []string
	served := func(a string) bool {
		r := st.Served(a)
		if r == nil {
			return false
		}
		if r.Pending && req.ResendUnconfirmed && s.cfg.Now().Sub(r.At) > UnconfirmedAfter {
			it.Warnings = append(it.Warnings, fmt.Sprintf("%s: sent again after the unconfirmed release by %s at %s", a, r.By, stamp(r.At)))
			return false
		}
		it.AlreadyReleasedTo = append(it.AlreadyReleasedTo, a)
		if r.Pending {
			pending = append(pending, a)
		}
		return true
	}
	for _, a := range chosen {
		if !served(a) {
			it.Recipients = append(it.Recipients, a)
		}
	}
	for _, a := range req.CopyTo {
		if !containsAddr(it.Recipients, a) && !containsAddr(it.Copies, a) && !served(a) {
			it.Copies = append(it.Copies, a)
		}
	}
	if len(pending) > 0 {
		it.Warnings = append(it.Warnings, fmt.Sprintf("an earlier release to %s was not confirmed (interrupted?): it is not sent again; check the relay's log", strings.Join(pending, ", ")))
	}
	if len(it.Recipients)+len(it.Copies) == 0 {
		switch {
		case len(it.AlreadyReleasedTo) > 0:
			it.Blocked = alreadyText(st, it.AlreadyReleasedTo)
		case len(env.Recipients) == 0:
			it.Blocked = "no recipient is known for this message: send a copy to an address instead"
		case env.FromHeaders && req.To == nil:
			it.Blocked = "no envelope recipient was recorded, and To/Cc were written by the sender: choose the recipients explicitly (--to, or the recipient list)"
		default:
			it.Blocked = "none of the chosen recipients is a recipient of this message"
		}
	}
}

// blockedBy says why the release rules hold a message back, "" when they
// let it go with this request.
func blockedBy(d model.Decision, reason string) string {
	switch d.Outcome {
	case model.DecisionAllowed:
		return ""
	case model.DecisionNeedsOverride:
		if err := model.CheckOverrideReason(reason); err != nil {
			return d.Sentence
		}
		return ""
	}
	return d.Sentence
}

// alreadyText says who served the given recipients first: "already
// released to a@x by sato at 2026-11-23 09:12 UTC".
func alreadyText(st mailsrc.ReleaseState, addrs []string) string {
	r := st.Served(addrs[0])
	if r == nil {
		return "already released"
	}
	who := "to " + strings.Join(addrs, ", ")
	if len(addrs) > 3 {
		who = fmt.Sprintf("to %s and %d more", strings.Join(addrs[:3], ", "), len(addrs)-3)
	}
	text := fmt.Sprintf("already released %s by %s at %s", who, r.By, stamp(r.At))
	if r.Pending {
		text += " (not confirmed: if that release was interrupted, check the relay's log)"
	}
	return text
}

// summarize counts the plan and writes its sentence.
func (s *Service) summarize(p *Plan) {
	acting := 0
	rcpts := map[string]bool{}
	for i := range p.Items {
		it := &p.Items[i]
		if it.Blocked != "" {
			p.Blocked++
			continue
		}
		acting++
		for _, a := range append(append([]string(nil), it.Recipients...), it.Copies...) {
			rcpts[strings.ToLower(a)] = true
		}
	}
	p.Recipients = len(rcpts)
	for a := range rcpts {
		if !s.isHome(a) {
			p.Outside++
		}
	}
	var b strings.Builder
	if p.Request.Kind == Delete {
		fmt.Fprintf(&b, "delete %s (to the trash, recoverable until purged)", plural(acting, "message"))
	} else {
		fmt.Fprintf(&b, "release %s to %s", plural(acting, "message"), plural(p.Recipients, "recipient"))
		if len(s.cfg.HomeDomains) > 0 {
			fmt.Fprintf(&b, " (%d outside %s)", p.Outside, strings.Join(s.cfg.HomeDomains, ", "))
		}
	}
	if p.Blocked > 0 {
		fmt.Fprintf(&b, "; %s held back", plural(p.Blocked, "message"))
		if p.NeedsOverride {
			b.WriteString(" (an approver's override reason would release some)")
		}
	}
	p.Summary = b.String()
}

// isHome reports whether addr is in one of the home domains or their
// subdomains.
func (s *Service) isHome(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	domain := strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	for _, h := range s.cfg.HomeDomains {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if domain == h || strings.HasSuffix(domain, "."+h) {
			return true
		}
	}
	return false
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
