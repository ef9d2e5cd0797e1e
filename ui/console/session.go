package console

import (
	"context"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"mxaudit/ui/app"
)

// A console of "mxaudit serve": one per SSH session, on a session of the
// shared hub (app.Session) instead of a workspace of its own. The
// differences are all in what backs the interfaces of backend.go — the
// hub's View instead of the App as Source and Live, the session's own
// operator and action service — plus one feed: the policy as changed by
// the other sessions.

// PolicyFeed hands the console the policy after every change made by
// another console on the same hub, so that an exception approved in one
// session shows in all of them.
type PolicyFeed interface {
	FollowPolicy(ctx context.Context) <-chan app.PolicyNews
}

// ConfigForSession is the console's configuration over one session of
// a shared hub.
func ConfigForSession(s *app.Session) Config {
	a := s.Hub.App()
	cfg := Config{
		Title:              a.Name(),
		Source:             s.View,
		Live:               s.View,
		Verifier:           a,
		Passwords:          a,
		Reports:            a,
		ActionsUnavailable: s.ActionsUnavailable,
		Operator:           s.Operator,
		PolicyFeed:         s,
		SpillDir:           a.SpillDir(),
	}
	if a.Online() {
		cfg.Checker = a
	}
	if s.Actions != nil {
		cfg.Actions = s.Actions
	}
	if s.Desk != nil {
		cfg.Policy = s.Desk
	}
	return cfg
}

// NewSession returns the root model of one SSH session's console. Its
// scan and watch run under ctx, the session's: they end with it. environ
// is the client's environment (NO_COLOR is honoured from it, not from
// the server's).
func NewSession(ctx context.Context, cfg Config, environ []string) tea.Model {
	noColor := slices.ContainsFunc(environ, func(kv string) bool {
		return strings.HasPrefix(kv, "NO_COLOR=") && kv != "NO_COLOR="
	})
	return newModel(ctx, cfg, noColor)
}

// policyNewsMsg carries a policy change made in another session.
type policyNewsMsg struct{ news app.PolicyNews }

// followPolicy returns the command that waits for the next policy
// change of another session, or nil without a feed.
func (m *Model) followPolicy() tea.Cmd {
	if m.cfg.PolicyFeed == nil {
		return nil
	}
	if m.policyNews == nil {
		m.policyNews = m.cfg.PolicyFeed.FollowPolicy(m.ctx)
	}
	ctx, ch := m.ctx, m.policyNews
	return func() tea.Msg {
		select {
		case n := <-ch:
			return policyNewsMsg{news: n}
		case <-ctx.Done():
			return nil
		}
	}
}

// handlePolicyNews applies another session's change as if it were ours,
// with its note, and waits for the next.
func (m *Model) handlePolicyNews(msg policyNewsMsg) tea.Cmd {
	cmd := m.handlePolicyChanged(policyChangedMsg{policy: msg.news.Policy, notice: msg.news.Note})
	return tea.Batch(cmd, m.statsChanged(), m.followPolicy())
}
