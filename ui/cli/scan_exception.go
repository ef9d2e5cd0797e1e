package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"mxaudit/model"
	"mxaudit/model/store"
)

// annotator returns what sets each scanned message's "exception" field:
// the active exception covering it (id, scope, value, expiry, approver,
// kinds) under the configured policy, whose approvals are checked against
// the audit log like everywhere else. A policy that cannot be read is
// reported on stderr and the field left out: the scan itself still runs.
func annotator(cfg Config, env Env) func(model.Message) model.Message {
	policyPath, auditPath := cfg.PolicyFile, cfg.AuditLog
	var err error
	if policyPath == "" {
		policyPath, err = store.DefaultPolicyPath(env.getenv)
	}
	if err == nil && auditPath == "" {
		auditPath, err = store.DefaultAuditPath(env.getenv)
	}
	var p model.Policy
	if err == nil {
		p, err = store.LoadPolicy(policyPath, auditPath, cfg.Approvers)
	}
	if err != nil {
		if env.Stderr != nil {
			fmt.Fprintln(env.Stderr, "mxaudit: warning: exceptions not shown:", err)
		}
		return nil
	}
	return annotateWith(p, time.Now())
}

// annotateWith returns a message with its exception under p at now. An
// encoded message (model.Encoded) is decoded whole only when an active
// exception names its sender: no other can cover it (Policy.Covering),
// so the others keep no exception and stay encoded.
//
// It takes and returns the message by value: given a pointer through a
// function value, the message went to the heap for every one scanned.
// Whether an active exception names a sender is remembered for the
// first senders seen (bulk mail repeats them): matching normalises the
// address and the domain, which was most of the cost of annotating.
// The returned function is for one goroutine: a scan emits from one.
func annotateWith(p model.Policy, now time.Time) func(model.Message) model.Message {
	memo := newSenderMemo(p.Active(now))
	return func(m model.Message) model.Message {
		if m.IsEncoded() {
			if !memo.named(&m) {
				m.Exception = nil
				return m
			}
			if m.Materialize() != nil {
				// The cached record cannot be read whole: it is printed
				// as cached, without the exception (never an exception
				// on a message it was not checked against: fail closed).
				m.Exception = nil
				return m
			}
		}
		p.Annotate(&m, now)
		return m
	}
}

// senderMemo remembers, for the first maxSendersNamed senders (From
// address and domain) it is asked about, whether an active exception
// names them.
type senderMemo struct {
	active []model.Exception
	seen   map[[2]string]bool
}

func newSenderMemo(active []model.Exception) *senderMemo {
	return &senderMemo{active: active, seen: make(map[[2]string]bool)}
}

// named reports whether an active exception names m's sender.
func (s *senderMemo) named(m *model.Message) bool {
	key := [2]string{m.FromAddr, m.FromDomain}
	if v, ok := s.seen[key]; ok {
		return v
	}
	sender := model.NewSender(m.FromAddr, m.FromDomain)
	v := slices.ContainsFunc(s.active, func(e model.Exception) bool { return e.CoversSender(&sender) })
	if len(s.seen) < maxSendersNamed {
		// Copies: a cached message's head strings share one allocation,
		// which the key would keep for the whole scan.
		s.seen[[2]string{strings.Clone(key[0]), strings.Clone(key[1])}] = v
	}
	return v
}

// maxSendersNamed bounds what annotateWith remembers: a quarantine of
// as many senders as messages is matched in full for those past it.
const maxSendersNamed = 4096
